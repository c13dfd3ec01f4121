#!/usr/bin/python3
# Hand-made FastCGI byte streams for the daemon's protocol tests:
#   records.py CASE SCRIPT > FILE
# then "fcgi-client -R FILE SOCKET" sends them and reports the answer.
import struct, sys

case, script = sys.argv[1], sys.argv[2].encode()


def rec(t, rid, content=b"", version=1, pad=0):
    return struct.pack(">BBHHBB", version, t, rid, len(content), pad, 0) + \
        content + b"\0" * pad


def nv(name, value):
    def ln(n):
        return bytes([n]) if n < 128 else struct.pack(">I", n | 0x80000000)
    return ln(len(name)) + ln(len(value)) + name + value


def begin(rid, role=1, flags=0):
    return rec(1, rid, struct.pack(">HB5x", role, flags))


def params(rid, pairs):
    body = b"".join(nv(k, v) for k, v in pairs)
    out = b""
    for i in range(0, len(body), 65535):
        out += rec(4, rid, body[i:i + 65535])
    return out + rec(4, rid)


ok = [(b"SCRIPT_FILENAME", script), (b"REQUEST_METHOD", b"GET")]
out = b""
if case == "badversion":
    out = rec(1, 1, struct.pack(">HB5x", 1, 0), version=2)
elif case == "beginlen":
    out = rec(1, 1, b"\0\1\0")
elif case == "bigparams":
    out = begin(1) + params(1, ok + [(b"HTTP_X_BIG", b"x" * 140000)])
elif case == "longbody":
    out = begin(1) + params(1, ok + [(b"CONTENT_LENGTH", b"4")]) + \
        rec(5, 1, b"12345678") + rec(5, 1)
elif case == "badlength":
    out = begin(1) + params(1, ok + [(b"CONTENT_LENGTH", b"-1")])
elif case == "garbage":
    out = b"GET / HTTP/1.1\r\nHost: x\r\n\r\n"
elif case == "stdout":
    out = begin(1) + rec(6, 1, b"Status: 200\r\n\r\n")
elif case == "unknowntype":
    out = rec(12, 0, b"x" * 8) + rec(30, 1, b"abc", pad=5) + \
        begin(1) + params(1, ok) + rec(5, 1)
elif case == "role":
    out = begin(1, role=2) + params(1, ok) + rec(5, 1)
elif case == "mpx":
    out = begin(1, flags=1) + begin(2) + params(1, ok) + rec(5, 1)
elif case == "padded":
    body = b"".join(nv(k, v) for k, v in ok)
    out = begin(1) + rec(4, 1, body, pad=7) + rec(4, 1, pad=3) + \
        rec(5, 1, pad=1)
elif case == "nul":
    out = begin(1) + params(1, ok + [(b"HTTP_X", b"a\0b")])
elif case == "keepalive":
    out = begin(1, flags=1) + params(1, ok) + rec(5, 1)
else:
    sys.exit("unknown case " + case)
sys.stdout.buffer.write(out)
