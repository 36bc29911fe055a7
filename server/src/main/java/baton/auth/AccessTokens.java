package baton.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.DefaultJOSEObjectTypeVerifier;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.proc.BadJWTException;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import java.net.URI;
import java.text.ParseException;
import java.time.Clock;
import java.time.Instant;
import java.util.HashSet;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checks JWT access tokens of one issuer for one resource, through nimbus-jose-jwt's
 * {@link DefaultJWTProcessor}: the signature with the issuer's keys and only the algorithms
 * RS256, ES256 and EdDSA (never the token's own choice: {@code alg: none} and HS256 are refused),
 * {@code typ} JWT or at+jwt (RFC 9068), {@code iss} exactly the issuer, {@code aud} including the
 * resource (RFC 8707), {@code exp} required and {@code nbf} honoured with 60 s of leeway. The
 * identity then comes from the claims ({@link OAuthIdentities}).
 */
public final class AccessTokens {

    private static final Logger log = LoggerFactory.getLogger(AccessTokens.class);
    public static final Set<JWSAlgorithm> ALGORITHMS = Set.of(JWSAlgorithm.RS256, JWSAlgorithm.ES256,
            JWSAlgorithm.EdDSA);

    /** Verified tokens remembered, by SHA-256 of the token; cleared when full. */
    static final int REMEMBERED = 10_000;

    private final DefaultJWTProcessor<SecurityContext> processor = new DefaultJWTProcessor<>();
    private final Map<String, Verified> verified = new ConcurrentHashMap<>();
    private final Clock clock;
    private final OAuthIdentities identities;
    private final URI issuer;
    private final URI resource;

    /** A token that passed every check, and until when it may be taken without checking it again. */
    private record Verified(BearerCheck result, Instant until) {
    }

    public AccessTokens(OAuthSettings settings, IssuerKeys keys, URI resource) {
        this(settings, keys, resource, Clock.systemUTC());
    }

    public AccessTokens(OAuthSettings settings, IssuerKeys keys, URI resource, Clock clock) {
        this.clock = clock;
        this.issuer = settings.issuer();
        this.resource = resource;
        this.identities = new OAuthIdentities(settings);
        processor.setJWSTypeVerifier(new DefaultJOSEObjectTypeVerifier<>(JOSEObjectType.JWT,
                new JOSEObjectType("at+jwt"), new JOSEObjectType("application/at+jwt"), null));
        processor.setJWSKeySelector(new EdDsaKeySelector(ALGORITHMS, keys));
        processor.setJWSVerifierFactory(new EdDsaKeySelector.VerifierFactory());
        DefaultJWTClaimsVerifier<SecurityContext> claims = new DefaultJWTClaimsVerifier<>(
                new HashSet<>(Set.of(resource.toString())),
                new JWTClaimsSet.Builder().issuer(issuer.toString()).build(), new HashSet<>(Set.of("exp", "iss", "aud")), null);
        claims.setMaxClockSkew((int) OAuthSettings.LEEWAY.toSeconds());
        processor.setJWTClaimsSetVerifier(claims);
    }

    /** The resource identifier this checks {@code aud} against. */
    public URI resource() {
        return resource;
    }

    /** Whether a bearer token has the shape of a JWT (three base64url parts); other tokens go elsewhere. */
    public static boolean looksLikeJwt(String token) {
        int first = token.indexOf('.');
        return first > 0 && token.indexOf('.', first + 1) > first && token.chars().filter(c -> c == '.').count() == 2;
    }

    /**
     * The check of {@code token}. A token that passed once is remembered (by its SHA-256, never the
     * token itself) until its {@code exp} plus the leeway, so a client sending the same token on
     * every request pays for the signature once; the answer is the same as checking it again would
     * give, since nothing but the time changes a verified token's verdict.
     */
    public BearerCheck check(String token) {
        String key = Tokens.digest(token);
        Verified known = verified.get(key);
        Instant now = clock.instant();
        if (known != null) {
            if (now.isBefore(known.until())) {
                return known.result();
            }
            verified.remove(key);
        }
        Verified checked = verify(token);
        if (checked.result() instanceof BearerCheck.Accepted && checked.until() != null) {
            if (verified.size() >= REMEMBERED) {
                verified.clear();
            }
            verified.put(key, checked);
        }
        return checked.result();
    }

    private Verified verify(String token) {
        JWTClaimsSet claims;
        try {
            claims = processor.process(token, null);
        } catch (ParseException e) {
            return invalid("The bearer token is not a well-formed JWT.");
        } catch (BadJWTException e) {
            return invalid(claimsSentence(e.getMessage()));
        } catch (BadJOSEException e) {
            String said = e.getMessage() == null ? "" : e.getMessage();
            log.debug("refused an access token: {}", said);
            if (said.contains("Unsecured") || said.contains("plain")) {
                return invalid("Unsigned access tokens (alg none) are refused.");
            }
            if (said.contains("typ")) {
                return invalid("The access token's typ header must be JWT or at+jwt.");
            }
            return invalid("The access token's signature could not be verified with the keys of "
                    + issuer + " (it must be signed with RS256, ES256 or EdDSA by a key the issuer publishes).");
        } catch (JOSEException e) {
            log.debug("could not check an access token: {}", e.getMessage());
            return invalid("The access token's signature could not be verified with the keys of "
                    + issuer + ".");
        }
        Instant exp = claims.getExpirationTime() == null ? null
                : claims.getExpirationTime().toInstant().plus(OAuthSettings.LEEWAY);
        return new Verified(identities.identify(claims.getClaims()), exp);
    }

    private static Verified invalid(String sentence) {
        return new Verified(new BearerCheck.Invalid(sentence), null);
    }

    private String claimsSentence(String said) {
        String s = said == null ? "" : said;
        if (s.contains("Expired")) {
            return "The access token has expired.";
        }
        if (s.contains("before use time")) {
            return "The access token is not valid yet (its nbf is in the future).";
        }
        if (s.contains("audience")) {
            return "The access token is not meant for this server: its audience (aud) must include " + resource + ".";
        }
        if (s.contains("missing required claims")) {
            // before the issuer's check: "missing" holds "iss"
            int open = s.indexOf('[');
            int close = s.indexOf(']', open + 1);
            String which = open >= 0 && close > open ? s.substring(open + 1, close).strip() : "";
            return which.isEmpty() || which.length() > 40
                    ? "The access token lacks a required claim (exp, iss and aud are required)."
                    : "The access token has no " + which + " claim; exp, iss and aud are required.";
        }
        if (s.contains("iss")) {
            return "The access token was not issued by " + issuer + ".";
        }
        log.debug("refused an access token's claims: {}", s);
        return "The access token's claims were refused.";
    }
}
