package baton.auth;

import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSelector;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.proc.SecurityContext;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The issuer's signing keys (its JWKS), cached. They are fetched again when the cache is older than
 * {@link #TIME_TO_LIVE}, and when a token names a key the cache does not hold (the issuer rotated
 * its keys) — but at most once per {@code minInterval}, so tokens with made-up key ids cannot make
 * Baton hammer the issuer. A failed fetch keeps the keys it had.
 */
public final class IssuerKeys implements JWKSource<SecurityContext> {

    private static final Logger log = LoggerFactory.getLogger(IssuerKeys.class);
    static final Duration TIME_TO_LIVE = Duration.ofMinutes(10);

    private final HttpClient http;
    private final URI jwksUri;
    private final Clock clock;
    private final Duration minInterval;
    private final ReentrantLock fetching = new ReentrantLock();
    private final AtomicInteger fetches = new AtomicInteger();
    private volatile JWKSet keys = new JWKSet();
    private volatile Instant fetchedAt = Instant.EPOCH;
    private volatile Instant lastAttempt = Instant.EPOCH;

    public IssuerKeys(HttpClient http, URI jwksUri, Clock clock, Duration minInterval) {
        this.http = http;
        this.jwksUri = jwksUri;
        this.clock = clock;
        this.minInterval = minInterval;
    }

    /** Fetches the keys now; false (logged) when the issuer could not give them. */
    public boolean load() {
        fetching.lock();
        try {
            return fetch();
        } finally {
            fetching.unlock();
        }
    }

    @Override
    public List<JWK> get(JWKSelector selector, SecurityContext context) {
        Instant now = clock.instant();
        if (now.isAfter(fetchedAt.plus(TIME_TO_LIVE)) && fetching.tryLock()) {
            try {
                if (mayFetch(now)) {
                    fetch();
                }
            } finally {
                fetching.unlock();
            }
        }
        List<JWK> found = selector.select(keys);
        if (!found.isEmpty()) {
            return found;
        }
        fetching.lock();
        try {
            found = selector.select(keys); // another thread may have fetched them meanwhile
            if (found.isEmpty() && mayFetch(clock.instant())) {
                log.info("a token names a key the cache of {} does not hold; fetching the keys again", jwksUri);
                fetch();
                found = selector.select(keys);
            }
        } finally {
            fetching.unlock();
        }
        return found;
    }

    /** How many times the keys were fetched (tests check the rate limit with it). */
    public int fetches() {
        return fetches.get();
    }

    private boolean mayFetch(Instant now) {
        return !now.isBefore(lastAttempt.plus(minInterval));
    }

    private boolean fetch() {
        lastAttempt = clock.instant();
        fetches.incrementAndGet();
        try {
            HttpRequest request = HttpRequest.newBuilder(jwksUri).timeout(AuthorizationServerMetadata.TIMEOUT)
                    .header("Accept", "application/json").GET().build();
            HttpResponse<byte[]> response = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
            if (response.statusCode() != 200) {
                throw new IOException("HTTP " + response.statusCode());
            }
            if (response.body().length > AuthorizationServerMetadata.MAX_BYTES) {
                throw new IOException("over " + AuthorizationServerMetadata.MAX_BYTES + " bytes");
            }
            // public keys only: a set that carried private parts would not lend them to verification
            keys = JWKSet.parse(new String(response.body(), StandardCharsets.UTF_8)).toPublicJWKSet();
            fetchedAt = lastAttempt;
            return true;
        } catch (IOException | ParseException e) {
            log.warn("could not fetch the keys at {}: {}", jwksUri, e.getMessage());
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
