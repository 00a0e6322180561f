"""LAB ONLY (lbaas.octavia, role lab_tenant_hosts): a tenant host's web server. Every GET (and HEAD) is answered
200 with the host's name and a newline, so that a client behind a load balancer sees which member served it.

    http-server.py NAME PORT

Run by lab-tenant-http@NAME.service inside the host's network namespace. Requests are not logged: the health
monitor's probes would fill the journal."""
import http.server
import sys


class NameHandler(http.server.BaseHTTPRequestHandler):
    server_version = 'lab-tenant-host'
    body = b''

    def do_GET(self):
        self.send_response(200)
        self.send_header('Content-Type', 'text/plain; charset=utf-8')
        self.send_header('Content-Length', str(len(self.body)))
        self.send_header('Connection', 'close')
        self.end_headers()
        if self.command != 'HEAD':
            self.wfile.write(self.body)

    do_HEAD = do_GET

    def log_message(self, format, *args):  # pylint: disable=redefined-builtin
        pass


def main():
    if len(sys.argv) != 3 or not sys.argv[2].isdigit():
        sys.exit('usage: http-server.py NAME PORT')
    NameHandler.body = (sys.argv[1] + '\n').encode()
    server = http.server.ThreadingHTTPServer(('0.0.0.0', int(sys.argv[2])), NameHandler)
    server.daemon_threads = True
    server.serve_forever()


if __name__ == '__main__':
    main()
