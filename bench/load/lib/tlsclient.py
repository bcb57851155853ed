"""What the bench's TLS clients share: the proxy they go through and the TLS context they verify with."""
import ssl


def proxy_address(text: str | None) -> tuple[str, int] | None:
    """host:port of the proxy as a socket address; None (direct) when absent."""
    if not text:
        return None
    host, port = text.rsplit(":", 1)
    return host, int(port)


def client_context(cafile: str) -> ssl.SSLContext:
    """Verifies against the given CA and speaks HTTP/1.1. No session is reused: every handshake is a full one."""
    ctx = ssl.create_default_context(cafile=cafile)
    ctx.set_alpn_protocols(["http/1.1"])
    return ctx
