package baton.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.KeySourceException;
import com.nimbusds.jose.crypto.factories.DefaultJWSVerifierFactory;
import com.nimbusds.jose.jca.JCAContext;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKMatcher;
import com.nimbusds.jose.jwk.JWKSelector;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.proc.JWSKeySelector;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jose.util.Base64URL;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.Signature;
import java.security.interfaces.EdECPublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The keys a token may be verified with: RS256 and ES256 through nimbus-jose-jwt's
 * {@link JWSVerificationKeySelector}; EdDSA (Ed25519) through the Java runtime's own Ed25519,
 * because nimbus-jose-jwt verifies Ed25519 only with Google Tink, which Baton does not ship. The
 * header's {@code alg} only chooses among the allowed algorithms; the key must be one the issuer
 * publishes for it.
 */
final class EdDsaKeySelector implements JWSKeySelector<SecurityContext> {

    /** DER prefix of an X.509 SubjectPublicKeyInfo for Ed25519 (RFC 8410); the raw 32-byte key follows. */
    private static final byte[] ED25519_SPKI_PREFIX = {0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03,
            0x21, 0x00};

    private final JWSVerificationKeySelector<SecurityContext> others;
    private final JWKSource<SecurityContext> keys;
    private final boolean edDsa;

    EdDsaKeySelector(Set<JWSAlgorithm> allowed, JWKSource<SecurityContext> keys) {
        Set<JWSAlgorithm> notEd = new HashSet<>(allowed);
        notEd.remove(JWSAlgorithm.EdDSA);
        this.others = new JWSVerificationKeySelector<>(notEd, keys);
        this.keys = keys;
        this.edDsa = allowed.contains(JWSAlgorithm.EdDSA);
    }

    @Override
    public List<? extends Key> selectJWSKeys(JWSHeader header, SecurityContext context) throws KeySourceException {
        if (!JWSAlgorithm.EdDSA.equals(header.getAlgorithm())) {
            return others.selectJWSKeys(header, context);
        }
        if (!edDsa) {
            return List.of();
        }
        JWKMatcher matcher = new JWKMatcher.Builder().keyType(com.nimbusds.jose.jwk.KeyType.OKP)
                .curve(Curve.Ed25519).keyID(header.getKeyID()).withKeyIDOnly(header.getKeyID() != null)
                .publicOnly(true).build();
        List<Key> out = new ArrayList<>();
        for (JWK jwk : keys.get(new JWKSelector(matcher), context)) {
            if (jwk instanceof OctetKeyPair okp) {
                PublicKey key = ed25519(okp.getDecodedX());
                if (key != null) {
                    out.add(key);
                }
            }
        }
        return out;
    }

    private static PublicKey ed25519(byte[] raw) {
        if (raw == null || raw.length != 32) {
            return null;
        }
        byte[] der = new byte[ED25519_SPKI_PREFIX.length + 32];
        System.arraycopy(ED25519_SPKI_PREFIX, 0, der, 0, ED25519_SPKI_PREFIX.length);
        System.arraycopy(raw, 0, der, ED25519_SPKI_PREFIX.length, 32);
        try {
            return KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(der));
        } catch (GeneralSecurityException e) {
            return null;
        }
    }

    /** nimbus-jose-jwt's verifiers, with the Java runtime's Ed25519 for EdDSA keys. */
    static final class VerifierFactory extends DefaultJWSVerifierFactory {
        @Override
        public JWSVerifier createJWSVerifier(JWSHeader header, Key key) throws JOSEException {
            if (JWSAlgorithm.EdDSA.equals(header.getAlgorithm()) && key instanceof EdECPublicKey ed) {
                return new Ed25519Verifier(ed);
            }
            return super.createJWSVerifier(header, key);
        }
    }

    private static final class Ed25519Verifier implements JWSVerifier {
        private final PublicKey key;
        private final JCAContext jca = new JCAContext();

        Ed25519Verifier(PublicKey key) {
            this.key = key;
        }

        @Override
        public boolean verify(JWSHeader header, byte[] signingInput, Base64URL signature) throws JOSEException {
            if (header.getCriticalParams() != null && !header.getCriticalParams().isEmpty()) {
                return false; // no critical extension is understood
            }
            try {
                Signature verifier = Signature.getInstance("Ed25519");
                verifier.initVerify(key);
                verifier.update(signingInput);
                return verifier.verify(signature.decode());
            } catch (GeneralSecurityException e) {
                return false;
            }
        }

        @Override
        public Set<JWSAlgorithm> supportedJWSAlgorithms() {
            return Set.of(JWSAlgorithm.EdDSA);
        }

        @Override
        public JCAContext getJCAContext() {
            return jca;
        }
    }
}
