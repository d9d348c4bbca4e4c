#!/usr/bin/env python3
"""loadclient.py - bounded keep-alive load against the gateway, recording every acknowledged request (stdlib only).

  loadclient.py --port PORT [-c 64] [-n 100000] [--max-time 900] [--mix SPEC] [--client-abort-rate 0.01]
                [--request-timeout 30] [--ids FILE] [--summary FILE] [--label NAME] [--seed N]

C connections (one asyncio worker each, HTTP/1.1 keep-alive, reconnect after a broken connection) send N requests
in total (or until --max-time). Each request is one of the kinds in --mix (name=weight,...):

  anth_chat_stream / anth_chat_json   POST /v1/messages, model soak-chat  (Anthropic in, OpenAI Chat upstream)
  anth_pass_stream / anth_pass_json   POST /v1/messages, model soak-pass  (Anthropic in, Anthropic upstream)
  oai_chat_stream / oai_chat_json     POST /v1/chat/completions, model soak-chat (OpenAI Chat in and out)
  oai_pass_stream                     POST /v1/chat/completions, model soak-pass (OpenAI Chat in, Anthropic upstream)

A request is *acknowledged* when its response arrived completely: status line and headers, then the whole body
(content-length bytes, or the chunked body up to its last, zero-size chunk). Its `request-id` header goes to --ids,
one line each: "<request-id> TAB <epoch seconds when the response was complete>". Outcomes are counted per response:

  200            complete and well formed (a stream that ends in message_stop / [DONE], no error event)
  200-error-event  a 200 stream that carries an error event (the upstream failed after the stream began)
  200-truncated  a complete 200 stream without its final event and without an error event
  200-invalid-json  a complete non-streaming 200 whose body is not JSON
  <status>       any other HTTP status (complete response)
  client-abort   injected (--client-abort-rate): the client closed the connection right after sending the request
                 or after the response headers (half each)
  conn-error     the gateway closed or reset the connection before the response was complete
  refused        connecting failed (the gateway is not there): the worker stops
  timeout        no complete response within --request-timeout (the connection is dropped)

--summary gets a JSON object: sent (requests written completely), acknowledged, outcomes, per-kind outcomes,
latency percentiles of acknowledged 200s, start/end times (epoch s) and the number of requests done at each second.
The exit code is 0 when the run ended (the caller judges the outcomes).
"""
import argparse
import asyncio
import json
import random
import signal
import sys
import time

KINDS = {
    # name: (path, model, stream, dialect)
    "anth_chat_stream": ("/v1/messages", "soak-chat", True, "anthropic"),
    "anth_chat_json": ("/v1/messages", "soak-chat", False, "anthropic"),
    "anth_pass_stream": ("/v1/messages", "soak-pass", True, "anthropic"),
    "anth_pass_json": ("/v1/messages", "soak-pass", False, "anthropic"),
    "oai_chat_stream": ("/v1/chat/completions", "soak-chat", True, "openai"),
    "oai_chat_json": ("/v1/chat/completions", "soak-chat", False, "openai"),
    "oai_pass_stream": ("/v1/chat/completions", "soak-pass", True, "openai"),
}
DEFAULT_MIX = ("anth_chat_stream=35,anth_chat_json=15,anth_pass_stream=20,anth_pass_json=10,"
               "oai_chat_stream=10,oai_chat_json=5,oai_pass_stream=5")


def build_request(kind, port, seq):
    path, model, stream, dialect = KINDS[kind]
    if dialect == "anthropic":
        body = {"model": model, "max_tokens": 256, "stream": stream,
                "system": "You are a terse assistant used by a soak test.",
                "tools": [{"name": "get_time", "description": "Current time",
                           "input_schema": {"type": "object", "properties": {"tz": {"type": "string"}}}}],
                "messages": [{"role": "user", "content": "soak request %d: say a few words" % seq}]}
        auth = "x-api-key: test-key\r\nanthropic-version: 2023-06-01\r\n"
    else:
        body = {"model": model, "max_tokens": 256, "stream": stream,
                "messages": [{"role": "system", "content": "You are a terse assistant used by a soak test."},
                             {"role": "user", "content": "soak request %d: say a few words" % seq}]}
        if stream:
            body["stream_options"] = {"include_usage": True}
        auth = "authorization: Bearer test-key\r\n"
    js = json.dumps(body, separators=(",", ":")).encode()
    hdr = ("POST %s HTTP/1.1\r\nhost: 127.0.0.1:%d\r\ncontent-type: application/json\r\n%s"
           "user-agent: switchyard-stress/1\r\ncontent-length: %d\r\n\r\n" % (path, port, auth, len(js)))
    return hdr.encode() + js, stream, dialect


class Run:
    def __init__(self, a):
        self.a = a
        self.rng = random.Random(a.seed)
        mix = []
        for part in a.mix.split(","):
            name, _, w = part.partition("=")
            name = name.strip()
            if name not in KINDS:
                sys.exit("loadclient.py: unknown kind %r in --mix (known: %s)" % (name, ", ".join(KINDS)))
            mix.append((name, float(w or 1)))
        self.kind_names = [m[0] for m in mix]
        self.kind_weights = [m[1] for m in mix]
        self.next_seq = 0
        self.sent = 0
        self.acked = 0
        self.outcomes = {}
        self.per_kind = {}
        self.lat_ms = []
        self.ids = []
        self.ids_file = open(a.ids, "w") if a.ids else None
        self.stop = False
        self.t0 = None
        self.done_at = []          # requests finished (any outcome) per elapsed second
        self.finished = 0
        self.inflight = {}         # worker -> (start time, writer)

    def count(self, kind, outcome):
        self.outcomes[outcome] = self.outcomes.get(outcome, 0) + 1
        k = self.per_kind.setdefault(kind, {})
        k[outcome] = k.get(outcome, 0) + 1
        self.finished += 1

    def ack(self, rid):
        self.acked += 1
        if rid:
            self.ids.append(rid)
            if self.ids_file:
                self.ids_file.write("%s\t%.6f\n" % (rid, time.time()))

    async def worker(self, wid):
        a = self.a
        reader = writer = None
        while not self.stop:
            if self.next_seq >= a.n:
                break
            if time.monotonic() - self.t0 > a.max_time:
                break
            if writer is None:
                try:
                    reader, writer = await asyncio.open_connection("127.0.0.1", a.port, limit=1 << 20)
                except OSError:
                    self.outcomes["refused"] = self.outcomes.get("refused", 0) + 1
                    return   # the gateway is gone (crash-safety rounds) or never came up
            seq = self.next_seq
            self.next_seq += 1
            kind = self.rng.choices(self.kind_names, self.kind_weights)[0]
            req, stream, dialect = build_request(kind, a.port, seq)
            abort = None
            if a.client_abort_rate > 0 and self.rng.random() < a.client_abort_rate:
                abort = self.rng.choice(("send", "headers"))
            start = time.monotonic()
            self.inflight[wid] = (start, writer)
            wrote = False
            try:
                writer.write(req)
                await writer.drain()
                wrote = True
                self.sent += 1
                outcome, rid, keep = await self.read_response(reader, stream, dialect, abort)
            except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, ValueError) as e:
                if not wrote and isinstance(e, OSError):
                    # the request did not go out (connection already broken): reconnect and send it again later
                    self.next_seq -= 1
                    self.inflight.pop(wid, None)
                    writer.close()
                    reader = writer = None
                    continue
                timed_out = self.inflight.get(wid, (0, None))[1] is None
                outcome, rid, keep = ("timeout" if timed_out else "conn-error"), None, False
            self.inflight.pop(wid, None)
            if outcome not in ("client-abort", "conn-error", "timeout"):
                self.ack(rid)
                if outcome == "200":
                    self.lat_ms.append((time.monotonic() - start) * 1000.0)
            self.count(kind, outcome)
            if not keep:
                try:
                    writer.close()
                except Exception:
                    pass
                reader = writer = None
        if writer is not None:
            writer.close()
            try:
                await writer.wait_closed()
            except Exception:
                pass

    async def read_response(self, reader, stream, dialect, abort):
        if abort == "send":
            return "client-abort", None, False
        head = await reader.readuntil(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split(" ", 2)[1])
        length = -1
        is_chunked = False
        rid = None
        close = False
        for ln in lines[1:]:
            k, _, v = ln.partition(":")
            k = k.strip().lower()
            if k == "content-length":
                length = int(v.strip())
            elif k == "transfer-encoding" and "chunked" in v.lower():
                is_chunked = True
            elif k == "request-id":
                rid = v.strip()
            elif k == "connection" and "close" in v.lower():
                close = True
        if abort:
            return "client-abort", rid, False
        if is_chunked:
            parts = []
            while True:
                line = await reader.readuntil(b"\r\n")
                size = int(line.split(b";", 1)[0].strip() or b"0", 16)
                if size == 0:
                    # trailers (none expected) end with an empty line
                    while (await reader.readuntil(b"\r\n")) != b"\r\n":
                        pass
                    break
                data = await reader.readexactly(size + 2)
                parts.append(data[:-2])
            body = b"".join(parts)
        elif length >= 0:
            body = await reader.readexactly(length)
        else:
            body = await reader.read()   # until close
            close = True
        if status != 200:
            return str(status), rid, not close
        if stream:
            if dialect == "anthropic":
                if b"event: error" in body:
                    return "200-error-event", rid, not close
                ok = b"event: message_stop" in body
            else:
                if b'"error"' in body:
                    return "200-error-event", rid, not close
                ok = b"data: [DONE]" in body
            return ("200" if ok else "200-truncated"), rid, not close
        try:
            json.loads(body)
        except ValueError:
            return "200-invalid-json", rid, not close
        return "200", rid, not close

    async def watchdog(self):
        last_print = time.monotonic()
        last_done = 0
        while not self.stop:
            await asyncio.sleep(0.25)
            now = time.monotonic()
            sec = int(now - self.t0)
            while len(self.done_at) <= sec:
                self.done_at.append(self.finished)
            for wid, (start, writer) in list(self.inflight.items()):
                if writer is not None and now - start > self.a.request_timeout:
                    self.inflight[wid] = (start, None)   # marks the timeout for the worker
                    writer.transport.abort()
            if self.a.progress and now - last_print >= self.a.progress:
                rate = (self.finished - last_done) / (now - last_print)
                last_print, last_done = now, self.finished
                top = sorted(self.outcomes.items(), key=lambda kv: -kv[1])[:6]
                print("%s [%s] %6.0fs done=%d sent=%d acked=%d rps=%.0f %s" % (
                    time.strftime("%H:%M:%S"), self.a.label, now - self.t0, self.finished, self.sent, self.acked,
                    rate, " ".join("%s:%d" % kv for kv in top)), file=sys.stderr, flush=True)

    async def main(self):
        loop = asyncio.get_running_loop()
        for s in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(s, self.request_stop)
        self.t_start = time.time()
        self.t0 = time.monotonic()
        wd = asyncio.ensure_future(self.watchdog())
        await asyncio.gather(*(self.worker(i) for i in range(self.a.c)))
        self.stop = True
        wd.cancel()
        self.t_end = time.time()
        elapsed = time.monotonic() - self.t0
        self.done_at.append(self.finished)
        if self.ids_file:
            self.ids_file.close()
        lat = sorted(self.lat_ms)

        def pct(p):
            return round(lat[min(len(lat) - 1, int(p / 100.0 * len(lat)))], 1) if lat else None
        summary = {
            "label": self.a.label, "concurrency": self.a.c, "target": self.a.n, "sent": self.sent,
            "acknowledged": self.acked, "ids": len(self.ids), "finished": self.finished,
            "outcomes": dict(sorted(self.outcomes.items())), "per_kind": self.per_kind,
            "elapsed_s": round(elapsed, 2), "rps": round(self.finished / elapsed, 1) if elapsed > 0 else 0,
            "latency_ms_200": {"p50": pct(50), "p90": pct(90), "p99": pct(99), "max": round(lat[-1], 1) if lat else None},
            "t_start": self.t_start, "t_end": self.t_end, "done_per_s": self.done_at,
            "client_abort_rate": self.a.client_abort_rate, "mix": self.a.mix,
            "client_cpu_s": round(time.process_time(), 2),
        }
        if self.a.summary:
            with open(self.a.summary, "w") as f:
                json.dump(summary, f)
        print(json.dumps({k: summary[k] for k in ("label", "sent", "acknowledged", "outcomes", "elapsed_s", "rps")}),
              file=sys.stderr, flush=True)

    def request_stop(self):
        self.stop = True


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("-c", type=int, default=64)
    ap.add_argument("-n", type=int, default=100000)
    ap.add_argument("--max-time", type=float, default=900)
    ap.add_argument("--mix", default=DEFAULT_MIX)
    ap.add_argument("--client-abort-rate", type=float, default=0.0)
    ap.add_argument("--request-timeout", type=float, default=30)
    ap.add_argument("--ids")
    ap.add_argument("--summary")
    ap.add_argument("--label", default="load")
    ap.add_argument("--progress", type=float, default=10, help="seconds between progress lines (0: none)")
    ap.add_argument("--seed", type=int, default=None)
    a = ap.parse_args()
    asyncio.run(Run(a).main())


if __name__ == "__main__":
    main()
