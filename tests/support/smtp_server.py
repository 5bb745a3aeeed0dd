"""A minimal SMTP server on a local port, in a thread: enough of the protocol for Django's SMTP backend, counting
sessions and keeping each message's recipients and data."""

import socketserver
import threading


class _Session(socketserver.StreamRequestHandler):
    def reply(self, line):
        self.wfile.write(f"{line}\r\n".encode())

    def handle(self):
        server = self.server
        server.sessions += 1
        self.reply("220 localhost ESMTP test")
        recipients = []
        while line := self.rfile.readline().decode().strip():
            command = line[:4].upper()
            if command in ("EHLO", "HELO"):
                self.reply("250 localhost")
            elif command == "RCPT":
                recipients.append(line.split(":", 1)[1].strip(" <>"))
                self.reply("250 OK")
            elif command == "DATA":
                self.reply("354 End data with <CR><LF>.<CR><LF>")
                data = []
                while (body_line := self.rfile.readline().decode()) not in (".\r\n", ""):
                    data.append(body_line)
                server.messages.append((recipients, "".join(data)))
                recipients = []
                self.reply("250 Queued")
            elif command == "QUIT":
                self.reply("221 Bye")
                return
            else:  # MAIL, RSET, NOOP
                self.reply("250 OK")


class SMTPServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self):
        super().__init__(("127.0.0.1", 0), _Session)
        self.sessions = 0
        self.messages = []
        self.port = self.server_address[1]

    def __enter__(self):
        threading.Thread(target=self.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc_info):
        self.shutdown()
        self.server_close()
