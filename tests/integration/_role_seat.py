"""A seat run as another Unix user (``runuser -u USER -- /usr/bin/python3 _role_seat.py FOLDER COMMANDS``), in
the standard library only (that user cannot reach the lead's virtualenv): prints the login name the driver
read from the kernel and the reply to each command, as JSON. The protocol is driver/protocol.py's, by hand."""

import json
import socket
import sys

VERSION = 1

sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
sock.settimeout(60)
sock.connect(sys.argv[1] + "/driver.sock")
lines = sock.makefile("rb")
sock.sendall((json.dumps({"type": "hello", "golive": VERSION, "mode": "seat"}) + "\n").encode())
hello = json.loads(lines.readline())
replies = []
for ident, (name, args) in enumerate(json.loads(sys.argv[2]), 1):
    sock.sendall((json.dumps({"type": "command", "id": ident, "command": name, "args": args}) + "\n").encode())
    while True:
        message = json.loads(lines.readline())
        if message.get("type") == "reply" and message.get("id") == ident:
            replies.append(message)
            break
print(json.dumps({"user": hello["user"], "replies": replies}))
sock.close()
