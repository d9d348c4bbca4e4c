#!/usr/bin/env python3
"""faultmock.py - a fast, fault-injecting mock upstream for the soak and crash-safety runs (stdlib only).

One asyncio HTTP/1.1 server (keep-alive) on 127.0.0.1 that answers
  POST <any prefix>/chat/completions   OpenAI Chat, streaming ("stream": true) or not
  POST <any prefix>/messages           Anthropic Messages, streaming or not
  GET  /health
with a short deterministic answer: --chunks content deltas "w0 ", "w1 ", ... (stream) or the same text in one
message, plus usage.

With probability --fault-rate a request gets one fault instead, drawn uniformly from --faults:
  http429        429 with retry-after: 1 and an error body in the request's dialect
  http500        500 with an error body
  http529        529 (Anthropic overloaded) for /messages, 503 for /chat/completions
  reset_before   the connection is reset (RST) before any response byte
  reset_mid      status line, headers and part of the body, then RST
  stall_before   no answer at all until --stall-s (the gateway's idle timeout must be shorter)
  stall_mid      headers and part of the stream, then nothing until --stall-s
  garbage        200 text/event-stream (or JSON content type for non-streaming) whose body is not valid SSE/JSON
  truncated      a well-formed chunked body that ends before the stream's last events (no [DONE] / message_stop)
Idle keep-alive connections are closed after --keepalive-s, so the gateway's upstream sockets drain when the load
stops. On SIGTERM/SIGINT the counters (requests by dialect/stream, faults by kind) go to --stats as JSON.

  faultmock.py --port-file FILE [--port 0] [--fault-rate 0.05] [--faults a,b,...] [--chunks 12] [--stall-s 3]
               [--keepalive-s 2] [--stats FILE] [--seed N]
"""
import argparse
import asyncio
import json
import os
import random
import re
import signal
import socket
import struct
import sys
import time

ALL_FAULTS = ["http429", "http500", "http529", "reset_before", "reset_mid", "stall_before", "stall_mid", "garbage",
              "truncated"]
STREAM_RE = re.compile(rb'"stream"\s*:\s*true')


def chunked(data: bytes) -> bytes:
    return b"%x\r\n%s\r\n" % (len(data), data)


def head(status: int, reason: str, ctype: str, extra: str = "", length: int = -1) -> bytes:
    h = "HTTP/1.1 %d %s\r\ncontent-type: %s\r\n%s" % (status, reason, ctype, extra)
    h += ("content-length: %d\r\n" % length) if length >= 0 else "transfer-encoding: chunked\r\n"
    return (h + "\r\n").encode()


class Answers:
    """Precomputed response bytes (the same answer every time: the gateway's work is what is measured)."""

    def __init__(self, chunks: int):
        words = ["w%d " % i for i in range(chunks)]
        text = "".join(words)
        # OpenAI Chat, streaming
        ev = []
        base = {"id": "chatcmpl-soak", "object": "chat.completion.chunk", "created": 1700000000, "model": "mock"}
        ev.append(dict(base, choices=[{"index": 0, "delta": {"role": "assistant", "content": ""},
                                       "finish_reason": None}]))
        for w in words:
            ev.append(dict(base, choices=[{"index": 0, "delta": {"content": w}, "finish_reason": None}]))
        ev.append(dict(base, choices=[{"index": 0, "delta": {}, "finish_reason": "stop"}]))
        ev.append(dict(base, choices=[], usage={"prompt_tokens": 12, "completion_tokens": chunks,
                                                "total_tokens": 12 + chunks}))
        chat_events = [b"data: " + json.dumps(e, separators=(",", ":")).encode() + b"\n\n" for e in ev]
        chat_events.append(b"data: [DONE]\n\n")
        self.chat_stream_events = chat_events
        # OpenAI Chat, JSON
        self.chat_json = json.dumps({
            "id": "chatcmpl-soak", "object": "chat.completion", "created": 1700000000, "model": "mock",
            "choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}],
            "usage": {"prompt_tokens": 12, "completion_tokens": chunks, "total_tokens": 12 + chunks}},
            separators=(",", ":")).encode()
        # Anthropic, streaming
        a = []

        def sse(name, obj):
            a.append(b"event: " + name.encode() + b"\ndata: " + json.dumps(obj, separators=(",", ":")).encode()
                     + b"\n\n")
        sse("message_start", {"type": "message_start", "message": {
            "id": "msg_soak", "type": "message", "role": "assistant", "model": "claude-mock", "content": [],
            "stop_reason": None, "stop_sequence": None, "usage": {"input_tokens": 12, "output_tokens": 1}}})
        sse("content_block_start", {"type": "content_block_start", "index": 0,
                                    "content_block": {"type": "text", "text": ""}})
        for w in words:
            sse("content_block_delta", {"type": "content_block_delta", "index": 0,
                                        "delta": {"type": "text_delta", "text": w}})
        sse("content_block_stop", {"type": "content_block_stop", "index": 0})
        sse("message_delta", {"type": "message_delta", "delta": {"stop_reason": "end_turn", "stop_sequence": None},
                              "usage": {"output_tokens": chunks}})
        sse("message_stop", {"type": "message_stop"})
        self.anth_stream_events = a
        self.anth_json = json.dumps({
            "id": "msg_soak", "type": "message", "role": "assistant", "model": "claude-mock",
            "content": [{"type": "text", "text": text}], "stop_reason": "end_turn", "stop_sequence": None,
            "usage": {"input_tokens": 12, "output_tokens": chunks}}, separators=(",", ":")).encode()

        self.full = {}
        for anth in (False, True):
            evs = self.anth_stream_events if anth else self.chat_stream_events
            # events written in a few chunks (not one per event: keeps the mock cheap, still several reads upstream)
            body = b"".join(chunked(b"".join(evs[i:i + 4])) for i in range(0, len(evs), 4)) + b"0\r\n\r\n"
            self.full[(anth, True)] = head(200, "OK", "text/event-stream", "cache-control: no-cache\r\n") + body
            js = self.anth_json if anth else self.chat_json
            self.full[(anth, False)] = head(200, "OK", "application/json", length=len(js)) + js

    def partial(self, anth: bool, stream: bool) -> bytes:
        """Headers and the first part of a body (for the mid-response faults)."""
        if stream:
            evs = self.anth_stream_events if anth else self.chat_stream_events
            return head(200, "OK", "text/event-stream", "cache-control: no-cache\r\n") + chunked(b"".join(evs[:3]))
        js = self.anth_json if anth else self.chat_json
        return head(200, "OK", "application/json", length=len(js)) + js[: len(js) // 2]

    def truncated(self, anth: bool, stream: bool) -> bytes:
        if stream:
            evs = self.anth_stream_events if anth else self.chat_stream_events
            return (head(200, "OK", "text/event-stream", "cache-control: no-cache\r\n")
                    + chunked(b"".join(evs[: len(evs) // 2])) + b"0\r\n\r\n")
        js = self.anth_json if anth else self.chat_json
        cut = js[: len(js) // 2]   # a complete HTTP body whose JSON ends early
        return head(200, "OK", "application/json", length=len(cut)) + cut

    @staticmethod
    def garbage(stream: bool) -> bytes:
        if stream:
            body = (b"data: {\"choices\":[{\"delta\":{\"content\":\"w0 \"}}\n\n"  # broken JSON
                    b"event: message_start\ndata: {{{{not json\n\n"
                    b"\x00\xff\xfe garbage \x01\x02\n\n"
                    b"data: {\"type\":\"content_block_delta\",\"index\":7,\"delta\":{\"type\":\"nope\"}}\n\n")
            return head(200, "OK", "text/event-stream") + chunked(body) + b"0\r\n\r\n"
        body = b"{\"id\": \"x\", \"choices\": [ {\"message\": \x00\xff not json"
        return head(200, "OK", "application/json", length=len(body)) + body

    @staticmethod
    def error(status: int, anth: bool) -> bytes:
        reason = {429: "Too Many Requests", 500: "Internal Server Error", 503: "Service Unavailable",
                  529: "Overloaded"}[status]
        etype = {429: "rate_limit_error", 500: "api_error", 503: "overloaded_error", 529: "overloaded_error"}[status]
        if anth:
            body = {"type": "error", "error": {"type": etype, "message": "injected fault %d" % status}}
        else:
            body = {"error": {"message": "injected fault %d" % status, "type": etype, "code": None}}
        js = json.dumps(body).encode()
        extra = "retry-after: 1\r\n" if status == 429 else ""
        return head(status, reason, "application/json", extra, len(js)) + js


class Stats:
    def __init__(self):
        self.requests = 0
        self.by_kind = {}
        self.faults = {}
        self.connections = 0
        self.started = time.time()

    def as_dict(self):
        return {"requests": self.requests, "by_kind": self.by_kind, "faults": self.faults,
                "fault_total": sum(self.faults.values()), "connections": self.connections,
                "uptime_s": round(time.time() - self.started, 1), "cpu_s": round(time.process_time(), 2)}


class Conn(asyncio.Protocol):
    def __init__(self, srv):
        self.srv = srv
        self.buf = b""
        self.t = None
        self.busy = False       # a request is being answered (stalls, partial writes)
        self.idle_timer = None
        self.stall_timer = None

    # -- connection lifecycle --
    def connection_made(self, transport):
        self.t = transport
        self.srv.stats.connections += 1
        sock = transport.get_extra_info("socket")
        if sock is not None:
            try:
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            except OSError:
                pass
        self.arm_idle()

    def connection_lost(self, exc):
        for h in (self.idle_timer, self.stall_timer):
            if h:
                h.cancel()
        self.t = None

    def arm_idle(self):
        if self.idle_timer:
            self.idle_timer.cancel()
        self.idle_timer = self.srv.loop.call_later(self.srv.keepalive_s, self.idle_close)

    def idle_close(self):
        if self.t and not self.busy:
            self.t.close()

    def reset(self):
        if not self.t:
            return
        sock = self.t.get_extra_info("socket")
        if sock is not None:
            try:
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            except OSError:
                pass
        self.t.abort()

    # -- requests --
    def data_received(self, data):
        self.buf += data
        while self.t and not self.busy:
            end = self.buf.find(b"\r\n\r\n")
            if end < 0:
                if len(self.buf) > 1 << 20:
                    self.t.close()
                return
            headers = self.buf[:end].decode("latin-1")
            lines = headers.split("\r\n")
            try:
                method, path, _ = lines[0].split(" ", 2)
            except ValueError:
                self.t.close()
                return
            length = 0
            for ln in lines[1:]:
                k, _, v = ln.partition(":")
                if k.strip().lower() == "content-length":
                    length = int(v.strip() or 0)
            if len(self.buf) < end + 4 + length:
                return
            body = self.buf[end + 4: end + 4 + length]
            self.buf = self.buf[end + 4 + length:]
            self.handle(method, path, body)

    def handle(self, method, path, body):
        self.arm_idle()
        path = path.split("?", 1)[0]
        if method == "GET" and path in ("/health", "/"):
            js = b'{"status":"ok"}'
            self.t.write(head(200, "OK", "application/json", length=len(js)) + js)
            return
        anth = path.endswith("/messages")
        if method != "POST" or not (anth or path.endswith("/chat/completions")):
            js = b'{"error":"not found"}'
            self.t.write(head(404, "Not Found", "application/json", length=len(js)) + js)
            return
        stream = STREAM_RE.search(body) is not None
        st = self.srv.stats
        st.requests += 1
        kind = ("anthropic" if anth else "openai-chat") + ("/stream" if stream else "/json")
        st.by_kind[kind] = st.by_kind.get(kind, 0) + 1
        A = self.srv.answers
        if self.srv.faults and self.srv.rng.random() < self.srv.fault_rate:
            f = self.srv.rng.choice(self.srv.faults)
            st.faults[f] = st.faults.get(f, 0) + 1
            if f == "http429":
                self.t.write(A.error(429, anth))
            elif f == "http500":
                self.t.write(A.error(500, anth))
            elif f == "http529":
                self.t.write(A.error(529 if anth else 503, anth))
            elif f == "reset_before":
                self.reset()
            elif f == "reset_mid":
                self.t.write(A.partial(anth, stream))
                self.srv.loop.call_later(0.005, self.reset)   # after the bytes are on the wire
            elif f in ("stall_before", "stall_mid"):
                if f == "stall_mid":
                    self.t.write(A.partial(anth, stream))
                self.busy = True
                if self.idle_timer:
                    self.idle_timer.cancel()
                self.stall_timer = self.srv.loop.call_later(self.srv.stall_s, self.end_stall)
            elif f == "garbage":
                self.t.write(A.garbage(stream))
            elif f == "truncated":
                self.t.write(A.truncated(anth, stream))
            return
        self.t.write(A.full[(anth, stream)])

    def end_stall(self):
        # bounded: the gateway should have given up long before; close rather than answer late
        if self.t:
            self.t.close()


class Server:
    def __init__(self, args):
        self.args = args
        self.fault_rate = args.fault_rate
        self.faults = [f for f in args.faults.split(",") if f] if args.fault_rate > 0 else []
        for f in self.faults:
            if f not in ALL_FAULTS:
                sys.exit("faultmock.py: unknown fault %r (known: %s)" % (f, ", ".join(ALL_FAULTS)))
        self.stall_s = args.stall_s
        self.keepalive_s = args.keepalive_s
        self.rng = random.Random(args.seed)
        self.answers = Answers(args.chunks)
        self.stats = Stats()
        self.loop = None

    def write_stats(self):
        if self.args.stats:
            tmp = self.args.stats + ".tmp"
            with open(tmp, "w") as f:
                json.dump(self.stats.as_dict(), f)
            os.replace(tmp, self.args.stats)

    async def main(self):
        self.loop = asyncio.get_running_loop()
        stop = asyncio.Event()
        for s in (signal.SIGTERM, signal.SIGINT):
            self.loop.add_signal_handler(s, stop.set)
        server = await self.loop.create_server(lambda: Conn(self), "127.0.0.1", self.args.port, backlog=1024,
                                               reuse_address=True)
        port = server.sockets[0].getsockname()[1]
        if self.args.port_file:
            tmp = self.args.port_file + ".tmp"
            with open(tmp, "w") as f:
                f.write(str(port))
            os.replace(tmp, self.args.port_file)
        print("LISTENING %d" % port, flush=True)
        await stop.wait()
        server.close()
        self.write_stats()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--port-file")
    ap.add_argument("--fault-rate", type=float, default=0.05)
    ap.add_argument("--faults", default=",".join(ALL_FAULTS))
    ap.add_argument("--chunks", type=int, default=12)
    ap.add_argument("--stall-s", type=float, default=3.0)
    ap.add_argument("--keepalive-s", type=float, default=2.0)
    ap.add_argument("--stats")
    ap.add_argument("--seed", type=int, default=None)
    args = ap.parse_args()
    asyncio.run(Server(args).main())


if __name__ == "__main__":
    main()
