#!/usr/bin/env python3
"""Loopback HTTP server for compose tests, with fault injection.

usage: http_server.py ROOT [--faults FILE] [--log FILE]

Serves ROOT on 127.0.0.1 (only) at a free port and prints the port on the first line of
stdout.
--faults FILE: JSON object mapping a URL path ("/v3.22/main/x86_64/foo.apk") to a list of
  behaviours, consumed one per request to that path; when the list is used up the file is
  served normally. The key "*" applies to every path that has no list of its own (or whose
  list is used up). The file is read again whenever it changes, so a test can change the
  faults of a running server (consumed entries are then forgotten). Behaviours:
    "ok"                serve normally
    "status:N"          answer with HTTP status N and no body
    "drop-after:N"      send the headers (full Content-Length) and N bytes, then close
                        (a Content-Length bigger than what is sent)
    "truncate:N"        serve only the first N bytes, with a matching Content-Length
    "flip:N"            serve the file with the byte at offset N (negative: from the end)
                        xor 0x01
    "stall-after:N"     send the headers and N bytes, then nothing (the connection stays
                        open for 120 s)
    "trickle:B"         send B bytes a second (B < 1024 is below any speed limit)
    "redirect-loop"     answer 302 to the same path, forever
    "redirect:URL"      answer 302 to URL
    "endless"           200 without Content-Length, an endless body of zeros (close-delimited)
    "oversize:N"        200 without Content-Length: the file, then zeros up to N bytes
    "announce:N"        the file with "Content-Length: N" (smaller or larger than the file),
                        then close
  A behaviour prefixed with "always:" is never consumed ("always:drop-after:100").
--log FILE: append one line per request: "<path>".
"""
import http.server
import json
import os
import socketserver
import sys
import threading
import time


def main():
    args = sys.argv[1:]
    if not args:
        sys.exit(__doc__)
    root = os.path.abspath(args[0])
    faults_path, log_path = None, None
    i = 1
    while i < len(args):
        if args[i] == "--faults":
            faults_path = args[i + 1]
            i += 2
        elif args[i] == "--log":
            log_path = args[i + 1]
            i += 2
        else:
            sys.exit("unknown argument " + args[i])
    lock = threading.Lock()
    state = {"faults": {}, "stamp": None}

    def reload_faults():
        if not faults_path:
            return
        stamp = os.stat(faults_path)
        stamp = (stamp.st_mtime_ns, stamp.st_size)
        if stamp != state["stamp"]:
            with open(faults_path) as f:
                state["faults"] = json.load(f)
            state["stamp"] = stamp

    def next_behaviour(path):
        with lock:
            if log_path:
                with open(log_path, "a") as log:
                    log.write(path + "\n")
            reload_faults()
            faults = state["faults"]
            for key in (path, "*"):
                queue = faults.get(key, [])
                if queue:
                    behaviour = queue[0]
                    if behaviour.startswith("always:"):
                        return behaviour[len("always:"):]
                    queue.pop(0)
                    return behaviour
            return "ok"

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *a):
            pass

        def empty(self, status, headers=()):
            self.send_response(status)
            for name, value in headers:
                self.send_header(name, value)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def start_body(self, length):
            self.send_response(200)
            self.send_header("Content-Type", "application/octet-stream")
            if length is None:
                self.send_header("Connection", "close")
            else:
                self.send_header("Content-Length", str(length))
            self.end_headers()

        def hang_up(self):
            self.wfile.flush()
            self.close_connection = True
            self.connection.shutdown(2)

        def do_GET(self):
            path = self.path.split("?", 1)[0]
            behaviour = next_behaviour(path)
            kind, _, argument = behaviour.partition(":")
            if kind == "status":
                return self.empty(int(argument))
            if kind == "redirect-loop":
                return self.empty(302, [("Location", self.path)])
            if kind == "redirect":
                return self.empty(302, [("Location", argument)])
            if kind == "endless":
                self.start_body(None)
                chunk = bytes(1 << 16)
                try:
                    while True:
                        self.wfile.write(chunk)
                except OSError:
                    return
            full = os.path.normpath(os.path.join(root, path.lstrip("/")))
            if not full.startswith(root + os.sep) or not os.path.isfile(full):
                return self.empty(404)
            with open(full, "rb") as f:
                body = f.read()
            try:
                self.serve(kind, argument, body)
            except OSError:
                pass  # the client gave up (as it should on oversize, stalls, …)

        def serve(self, kind, argument, body):
            if kind == "drop-after":
                self.start_body(len(body))
                self.wfile.write(body[: int(argument)])
                return self.hang_up()
            if kind == "truncate":
                body = body[: int(argument)]
            elif kind == "flip":
                data = bytearray(body)
                data[int(argument)] ^= 1
                body = bytes(data)
            elif kind == "stall-after":
                self.start_body(len(body))
                self.wfile.write(body[: int(argument)])
                self.wfile.flush()
                time.sleep(120)
                return self.hang_up()
            elif kind == "trickle":
                self.start_body(len(body))
                rate = int(argument)
                for start in range(0, len(body), rate):
                    self.wfile.write(body[start : start + rate])
                    self.wfile.flush()
                    time.sleep(1)
                return
            elif kind == "oversize":
                self.start_body(None)
                self.wfile.write(body)
                remaining = int(argument) - len(body)
                chunk = bytes(1 << 16)
                while remaining > 0:
                    self.wfile.write(chunk[: min(remaining, len(chunk))])
                    remaining -= len(chunk)
                return self.hang_up()
            elif kind == "announce":
                self.start_body(int(argument))
                self.wfile.write(body)
                return self.hang_up()
            self.start_body(len(body))
            self.wfile.write(body)

    class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
        daemon_threads = True
        allow_reuse_address = True

    server = Server(("127.0.0.1", 0), Handler)
    print(server.server_address[1], flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
