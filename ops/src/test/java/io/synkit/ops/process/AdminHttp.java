package io.synkit.ops.process;

import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;

/** One GET on a node's admin port: the status code and body; code -1 when nothing answered within the timeout. */
record AdminHttp(int code, String body) {

    static AdminHttp get(String adminHostPort, String path, int timeoutMs) {
        try {
            HttpURLConnection connection = (HttpURLConnection) URI.create("http://" + adminHostPort + path).toURL().openConnection();
            connection.setConnectTimeout(timeoutMs);
            connection.setReadTimeout(timeoutMs);
            try {
                int code = connection.getResponseCode();
                InputStream in = code < 400 ? connection.getInputStream() : connection.getErrorStream();
                return new AdminHttp(code, in == null ? "" : new String(in.readAllBytes(), StandardCharsets.UTF_8));
            } finally {
                connection.disconnect();
            }
        } catch (IOException e) {
            return new AdminHttp(-1, e.toString());
        }
    }
}
