#!/usr/bin/env python3
"""Loopback HTTP server for compose tests, with fault injection.

usage: http_server.py ROOT [--faults FILE] [--log FILE]

Serves ROOT on 127.0.0.1 at a free port and prints the port on the first line of stdout.
--faults FILE: JSON object mapping a URL path ("/v3.22/main/x86_64/foo.apk") to a list of
  behaviours, consumed one per request to that path; when the list is used up the file is
  served normally. Behaviours:
    "ok"              serve normally
    "status:N"        answer with HTTP status N and no body
    "drop-after:N"    send the headers (full Content-Length) and N bytes, then close
  A behaviour prefixed with "always:" is never consumed ("always:drop-after:100").
--log FILE: append one line per request: "<path>".
"""
import http.server
import json
import os
import socketserver
import sys
import threading


def main():
    args = sys.argv[1:]
    if not args:
        sys.exit(__doc__)
    root = os.path.abspath(args[0])
    faults, log_path = {}, None
    i = 1
    while i < len(args):
        if args[i] == "--faults":
            with open(args[i + 1]) as f:
                faults = json.load(f)
            i += 2
        elif args[i] == "--log":
            log_path = args[i + 1]
            i += 2
        else:
            sys.exit("unknown argument " + args[i])
    lock = threading.Lock()

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *a):
            pass

        def do_GET(self):
            path = self.path.split("?", 1)[0]
            with lock:
                if log_path:
                    with open(log_path, "a") as log:
                        log.write(path + "\n")
                queue = faults.get(path, [])
                behaviour = "ok"
                if queue:
                    behaviour = queue[0]
                    if behaviour.startswith("always:"):
                        behaviour = behaviour[len("always:"):]
                    else:
                        queue.pop(0)
            if behaviour.startswith("status:"):
                self.send_response(int(behaviour.split(":")[1]))
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            full = os.path.normpath(os.path.join(root, path.lstrip("/")))
            if not full.startswith(root) or not os.path.isfile(full):
                self.send_response(404)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            with open(full, "rb") as f:
                body = f.read()
            self.send_response(200)
            self.send_header("Content-Type", "application/octet-stream")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if behaviour.startswith("drop-after:"):
                self.wfile.write(body[: int(behaviour.split(":")[1])])
                self.wfile.flush()
                self.close_connection = True
                self.connection.shutdown(2)
                return
            self.wfile.write(body)

    class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
        daemon_threads = True
        allow_reuse_address = True

    server = Server(("127.0.0.1", 0), Handler)
    print(server.server_address[1], flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
