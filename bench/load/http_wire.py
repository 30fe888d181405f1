"""Just enough HTTP/1.1 for the benchmark's Python clients (ttfe.py, slow_streams.py).

http.client hides when bytes arrive; these helpers work on raw socket reads so the
clients can timestamp the first `data:` line of a streamed response exactly.
"""


def build_request(host, port, path, body, api_key):
    head = (f"POST {path} HTTP/1.1\r\n"
            f"Host: {host}:{port}\r\n"
            f"Authorization: Bearer {api_key}\r\n"
            "Content-Type: application/json\r\n"
            "Accept: text/event-stream\r\n"
            f"Content-Length: {len(body)}\r\n"
            "\r\n")
    return head.encode("ascii") + body


class ResponseHead:
    """Status line and headers of a response; `None` until the blank line arrived."""

    def __init__(self, raw):
        lines = raw.decode("latin-1").split("\r\n")
        self.status = int(lines[0].split(" ", 2)[1])
        self.headers = {}
        for line in lines[1:]:
            if ":" in line:
                name, value = line.split(":", 1)
                self.headers[name.strip().lower()] = value.strip()

    @property
    def chunked(self):
        return "chunked" in self.headers.get("transfer-encoding", "").lower()

    @property
    def content_length(self):
        value = self.headers.get("content-length")
        return int(value) if value is not None else None

    @property
    def keep_alive(self):
        return self.headers.get("connection", "").lower() != "close"


def split_head(buffer):
    """Returns (ResponseHead, rest) once buffer holds the whole head, else (None, buffer)."""
    end = buffer.find(b"\r\n\r\n")
    if end < 0:
        return None, buffer
    return ResponseHead(buffer[:end]), buffer[end + 4:]


def body_complete(head, body):
    """Returns (complete, decoded_body_or_None, leftover) for what has arrived so far.

    Handles Content-Length and chunked framing; leftover is what belongs to the next
    response on a keep-alive connection.
    """
    if head.content_length is not None and not head.chunked:
        if len(body) < head.content_length:
            return False, None, b""
        return True, body[:head.content_length], body[head.content_length:]
    if head.chunked:
        decoded = bytearray()
        pos = 0
        while True:
            line_end = body.find(b"\r\n", pos)
            if line_end < 0:
                return False, None, b""
            size = int(body[pos:line_end].split(b";")[0], 16)
            start = line_end + 2
            if size == 0:
                # Trailers (none expected) end with an empty line.
                trailer_end = body.find(b"\r\n", start)
                if trailer_end < 0:
                    return False, None, b""
                return True, bytes(decoded), body[trailer_end + 2:]
            if len(body) < start + size + 2:
                return False, None, b""
            decoded += body[start:start + size]
            pos = start + size + 2
    return False, None, b""  # read until close; callers treat EOF as the end
