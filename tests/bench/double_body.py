#!/usr/bin/env python3
"""Make a valid Anthropic Messages request about twice the size of a given one (for the linearity check).

  double_body.py IN.json OUT.json

Same shape, everything doubled:
  - tools: every tool is kept and a renamed copy ("<name>_2", same description and input_schema) is added;
  - system: every text block is followed by a copy (the copies carry no cache_control, so the number of
    cache breakpoints stays within Anthropic's limit);
  - messages: the same turns with the same tool_use ids; every text block and every tool_result's content
    is written twice, so tool_use / tool_result pairing and role alternation are unchanged.
The model, max_tokens and "stream" are untouched, so the upstream answer (the stream) is the same.
Prints one JSON line: {"in_bytes": N, "out_bytes": M, "ratio": M/N}.
"""
import copy
import json
import sys


def double_text(s):
    return s + "\n\n" + s


def double_block(block):
    b = copy.deepcopy(block)
    t = b.get("type")
    if t == "text":
        b["text"] = double_text(b["text"])
    elif t == "tool_result":
        c = b.get("content")
        if isinstance(c, str):
            b["content"] = double_text(c)
        elif isinstance(c, list):
            b["content"] = [double_block(x) for x in c]
    return b


def double_request(req):
    out = copy.deepcopy(req)
    tools = req.get("tools") or []
    names = {t["name"] for t in tools}
    extra = []
    for t in tools:
        c = copy.deepcopy(t)
        n = t["name"] + "_2"
        while n in names:
            n += "_2"
        names.add(n)
        c["name"] = n
        extra.append(c)
    if tools:
        out["tools"] = list(copy.deepcopy(tools)) + extra
    system = req.get("system")
    if isinstance(system, str):
        out["system"] = double_text(system)
    elif isinstance(system, list):
        blocks = []
        for b in system:
            blocks.append(copy.deepcopy(b))
            c = copy.deepcopy(b)
            c.pop("cache_control", None)
            blocks.append(c)
        out["system"] = blocks
    msgs = []
    for m in req.get("messages") or []:
        m2 = copy.deepcopy(m)
        if isinstance(m2.get("content"), str):
            m2["content"] = double_text(m2["content"])
        elif isinstance(m2.get("content"), list):
            m2["content"] = [double_block(b) for b in m2["content"]]
        msgs.append(m2)
    out["messages"] = msgs
    return out


def main():
    if len(sys.argv) != 3 or sys.argv[1] in ("-h", "--help"):
        print(__doc__.strip(), file=sys.stderr)
        return 2
    src, dst = sys.argv[1], sys.argv[2]
    with open(src, "rb") as f:
        raw = f.read()
    doubled = json.dumps(double_request(json.loads(raw)), ensure_ascii=False, separators=(",", ":")).encode()
    with open(dst, "wb") as f:
        f.write(doubled)
    print(json.dumps({"in_bytes": len(raw), "out_bytes": len(doubled), "ratio": round(len(doubled) / len(raw), 3)}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
