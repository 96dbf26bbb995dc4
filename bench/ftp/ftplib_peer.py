#!/usr/bin/python3
"""Python's ftplib as the peer in bench/ftp: one get or put of a file over
explicit FTPS (AUTH TLS, PROT P) or clear FTP, 256 KiB blocks.

  ftplib_peer.py get|put HOST PORT USER FILE REMOTE [--tls-ca CA] [--plain]

The password comes from PIGEON_PASSWORD. vsftpd requires every TLS data
connection to resume the control connection's session (require_ssl_reuse);
ftplib does not do that by itself, so ntransfercmd passes the session on.
"""
import ftplib
import os
import ssl
import sys


class ReusingFTP_TLS(ftplib.FTP_TLS):
    def ntransfercmd(self, cmd, rest=None):
        conn, size = ftplib.FTP.ntransfercmd(self, cmd, rest)
        if self._prot_p:
            conn = self.context.wrap_socket(conn, server_hostname=self.host, session=self.sock.session)
        return conn, size


def main():
    args = sys.argv[1:]
    plain = "--plain" in args
    if plain:
        args.remove("--plain")
    ca = None
    if "--tls-ca" in args:
        i = args.index("--tls-ca")
        ca = args[i + 1]
        del args[i:i + 2]
    verb, host, port, user, local, remote = args
    password = os.environ["PIGEON_PASSWORD"]
    block = 256 * 1024
    if plain:
        ftp = ftplib.FTP()
        ftp.connect(host, int(port))
        ftp.login(user, password)
    else:
        ctx = ssl.create_default_context(cafile=ca)
        ftp = ReusingFTP_TLS(context=ctx)
        ftp.connect(host, int(port))
        ftp.auth()
        ftp.login(user, password)
        ftp.prot_p()
    if verb == "get":
        with open(local, "wb") as f:
            ftp.retrbinary("RETR " + remote, f.write, blocksize=block)
    else:
        with open(local, "rb") as f:
            ftp.storbinary("STOR " + remote, f, blocksize=block)
    ftp.quit()


if __name__ == "__main__":
    main()
