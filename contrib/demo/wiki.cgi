#!/usr/bin/python3
"""wiki.cgi: a small wiki, the classic CGI example, for the cgibox demo.

    GET  wiki.cgi?page=NAME              show the page (FrontPage by default)
    GET  wiki.cgi?page=NAME&action=edit  a form to edit it
    POST wiki.cgi  page=NAME&text=TEXT   save it, then 303 to the page

It keeps its pages as ~/wiki/NAME.txt in the home directory of the user it
runs as, outside public_html, so the web server cannot serve them itself
and only that user can write them: cgibox runs the script as its owner.
~/wiki.conf may set "title = ...".

- A page name must match NAME_RE in full before it becomes a file name.
- Everything taken from a page or a request is HTML-escaped on output.
- A page is written to a temporary file in the same directory, synced and
  renamed over the old one: a reader sees the old page or the new one.
"""

import html
import os
import pwd
import re
import sys
import tempfile
import urllib.parse

NAME_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}")
LINK_RE = re.compile(r"\[\[([A-Za-z0-9][A-Za-z0-9_-]{0,63})\]\]")
MAX_BODY = 64 * 1024

ME = pwd.getpwuid(os.getuid())
WIKI = os.path.join(ME.pw_dir, "wiki")
SCRIPT = os.environ.get("SCRIPT_NAME", "wiki.cgi")


def h(text):
    return html.escape(text, quote=True)


def url(name, action=None):
    query = {"page": name}
    if action:
        query["action"] = action
    return SCRIPT + "?" + urllib.parse.urlencode(query)


def title():
    try:
        with open(os.path.join(ME.pw_dir, "wiki.conf"), encoding="utf-8") as f:
            for line in f:
                key, sep, value = line.partition("=")
                if sep and key.strip() == "title":
                    return value.strip()
    except (OSError, UnicodeDecodeError):
        pass
    return "Wiki"


def respond(status, heading, body, headers=()):
    doc = (
        "<!DOCTYPE html>\n"
        f'<html><head><meta charset="utf-8"><title>{h(heading)} - {h(title())}</title></head><body>\n'
        f"<h1>{h(heading)}</h1>\n"
        f"{body}"
        f"<hr><address>{h(title())}: wiki.cgi ran as {h(ME.pw_name)}"
        f" (uid {os.getuid()}, gid {os.getgid()})</address>\n"
        "</body></html>\n"
    )
    head = [f"Status: {status}", "Content-Type: text/html; charset=utf-8"]
    head += headers
    out = "\r\n".join(head) + "\r\n\r\n"
    if os.environ.get("REQUEST_METHOD") != "HEAD":
        out += doc
    sys.stdout.buffer.write(out.encode("utf-8"))
    sys.stdout.buffer.flush()


def fail(status, message, headers=()):
    respond(status, status, f"<p>{h(message)}</p>\n", headers)


def render(text):
    """Paragraphs split on blank lines, [[Name]] as links."""
    out = []
    for para in re.split(r"\n\s*\n", text.strip()):
        if para:
            linked = LINK_RE.sub(
                lambda m: f'<a href="{h(url(m.group(1)))}">{m.group(1)}</a>', h(para))
            out.append(f"<p>{linked}</p>\n")
    return "".join(out)


def page_path(name):
    return os.path.join(WIKI, name + ".txt")


def load(name):
    try:
        with open(page_path(name), encoding="utf-8", errors="replace") as f:
            return f.read()
    except FileNotFoundError:
        return None


def save(name, text):
    os.makedirs(WIKI, mode=0o700, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=WIKI, prefix=".new-", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, page_path(name))
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    dirfd = os.open(WIKI, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(dirfd)
    finally:
        os.close(dirfd)


def view(name):
    text = load(name)
    edit = f'<p><a href="{h(url(name, "edit"))}">edit</a> | <a href="{h(url("FrontPage"))}">FrontPage</a></p>\n'
    if text is None:
        respond("404 Not Found", name, "<p>This page does not exist yet.</p>\n" + edit)
    else:
        respond("200 OK", name, render(text) + edit)


def edit(name):
    text = load(name) or ""
    respond("200 OK", "Editing " + name,
            f'<form method="post" action="{h(SCRIPT)}">\n'
            f'<input type="hidden" name="page" value="{h(name)}">\n'
            f'<textarea name="text" rows="20" cols="80">{h(text)}</textarea>\n'
            '<input type="submit" value="Save">\n'
            "</form>\n")


def post():
    ctype = os.environ.get("CONTENT_TYPE", "").split(";")[0].strip().lower()
    if ctype != "application/x-www-form-urlencoded":
        return fail("415 Unsupported Media Type", "Send the edit form.")
    try:
        length = int(os.environ.get("CONTENT_LENGTH", ""))
    except ValueError:
        return fail("411 Length Required", "No Content-Length.")
    if length < 0 or length > MAX_BODY:
        return fail("413 Payload Too Large", f"A page is at most {MAX_BODY} bytes.")
    body = sys.stdin.buffer.read(length).decode("utf-8", errors="replace")
    form = urllib.parse.parse_qs(body, keep_blank_values=True)
    name = form.get("page", [""])[0]
    if not NAME_RE.fullmatch(name):
        return fail("400 Bad Request", "Bad page name: " + name)
    save(name, form.get("text", [""])[0].replace("\r\n", "\n"))
    respond("303 See Other", "Saved " + name,
            f'<p><a href="{h(url(name))}">{h(name)}</a></p>\n',
            ["Location: " + url(name)])


def main():
    method = os.environ.get("REQUEST_METHOD", "GET")
    if method == "POST":
        return post()
    if method not in ("GET", "HEAD"):
        return fail("405 Method Not Allowed", "GET or POST.", ["Allow: GET, HEAD, POST"])
    query = urllib.parse.parse_qs(os.environ.get("QUERY_STRING", ""))
    name = query.get("page", ["FrontPage"])[0]
    if not NAME_RE.fullmatch(name):
        return fail("400 Bad Request", "Bad page name: " + name)
    action = query.get("action", ["view"])[0]
    if action == "edit":
        return edit(name)
    if action == "view":
        return view(name)
    return fail("400 Bad Request", "Unknown action.")


if __name__ == "__main__":
    main()
