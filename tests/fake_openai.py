"""A small OpenAI-compatible chat server on loopback with scripted replies (for LLM-mode tests).

It speaks the real wire format (JSON and server-sent-event streams), so the tests run the real
HTTP client (openai SDK under langchain-openai) against it.
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class FakeOpenAI:
    def __init__(self) -> None:
        self.replies: list[str] = []
        self.requests: list[dict] = []
        self.fail_next = 0
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                return

            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                owner.requests.append({"path": self.path, "body": body,
                                       "auth": self.headers.get("Authorization")})  # fmt: skip
                if owner.fail_next:
                    owner.fail_next -= 1
                    self.send_response(500)
                    self.end_headers()
                    return
                text = owner.replies.pop(0) if owner.replies else "NOT_FOUND"
                if body.get("stream"):
                    self.send_response(200)
                    self.send_header("Content-Type", "text/event-stream")
                    self.end_headers()
                    pieces = [text[i : i + 3] for i in range(0, len(text), 3)]
                    for i, piece in enumerate([*pieces, ""]):
                        chunk = {
                            "id": "c1", "object": "chat.completion.chunk", "created": 0,
                            "model": body["model"],
                            "choices": [{"index": 0, "delta": {"content": piece} if piece else {},
                                         "finish_reason": None if i < len(pieces) else "stop"}],
                        }  # fmt: skip
                        self.wfile.write(f"data: {json.dumps(chunk)}\n\n".encode())
                        self.wfile.flush()
                    self.wfile.write(b"data: [DONE]\n\n")
                    return
                reply = {
                    "id": "c1", "object": "chat.completion", "created": 0, "model": body["model"],
                    "choices": [{"index": 0, "finish_reason": "stop",
                                 "message": {"role": "assistant", "content": text}}],
                    "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
                }  # fmt: skip
                data = json.dumps(reply).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/v1"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
