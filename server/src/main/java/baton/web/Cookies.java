package baton.web;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/** Cookies of the pages: always HttpOnly with a SameSite rule, Secure when served over https. */
final class Cookies {

    private Cookies() {
    }

    static void set(HttpServletResponse response, String name, String value, long maxAgeSeconds, PublicUrl publicUrl,
            HttpServletRequest request, String sameSite) {
        response.addHeader("Set-Cookie", name + "=" + value + "; Path=/; Max-Age=" + maxAgeSeconds + "; HttpOnly; SameSite="
                + sameSite + (secure(publicUrl, request) ? "; Secure" : ""));
    }

    static void clear(HttpServletResponse response, String name, PublicUrl publicUrl, HttpServletRequest request) {
        response.addHeader("Set-Cookie", name + "=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax"
                + (secure(publicUrl, request) ? "; Secure" : ""));
    }

    /** The value of the request's cookie {@code name}, or null. */
    static String get(HttpServletRequest request, String name) {
        jakarta.servlet.http.Cookie[] cookies = request.getCookies();
        if (cookies != null) {
            for (jakarta.servlet.http.Cookie c : cookies) {
                if (name.equals(c.getName())) {
                    return c.getValue();
                }
            }
        }
        return null;
    }

    /** Secure whenever people reach Baton over https: the public URL says so, or this request came that way. */
    static boolean secure(PublicUrl publicUrl, HttpServletRequest request) {
        return publicUrl.isHttps() || request.isSecure();
    }
}
