"""Fetching a subscription address: the partner's secret iCal link, from any calendar service.

The address is the partner's to type, so it is treated as hostile: https only, at most MAX_REDIRECTS redirects,
each hop checked; timeouts; a size limit read as the body streams in; and, outside tests, no host that resolves to
a loopback, private, link-local or otherwise reserved address (SSRF). The check resolves the name before each
request; a name whose answer changes between the check and the connection (DNS rebinding) could still slip
through, which the short timeouts and the text-only use of the answer keep harmless enough here.
"""

import ipaddress
import socket
import time
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import requests
from django.conf import settings

from conversations.calendars import CalendarError

MAX_REDIRECTS = 3
USER_AGENT = "careerconv calendar reader"


@dataclass(frozen=True)
class Fetched:
    """A 200 with its body, or `not_modified` for a 304."""

    not_modified: bool
    text: str = ""
    etag: str = ""
    last_modified: str = ""


def normalise(address):
    """The address as it will be fetched: webcal:// (Apple's and Outlook's links) is https://."""
    address = address.strip()
    if address.lower().startswith("webcal://"):
        address = "https://" + address[len("webcal://"):]
    return address


def check_address(address):
    """Raise CalendarError unless the address may be fetched: https (http too where local addresses are allowed,
    for tests), a host, and no address of the host on a network the server must not reach."""
    try:
        parts = urlsplit(address)
        hostname, port = parts.hostname, parts.port
    except ValueError as error:  # a bracketed host that is not an IPv6 address, a port out of range
        raise CalendarError("That address cannot be read as a web address. Please copy it again from your "
                            "calendar.") from error
    allow_local = settings.CALENDAR_ALLOW_LOCAL_ADDRESSES
    schemes = ("https", "http") if allow_local else ("https",)
    if parts.scheme not in schemes or not hostname:
        raise CalendarError("Please give an https:// (or webcal://) address.")
    if allow_local:
        return
    try:
        answers = socket.getaddrinfo(hostname, port or 443, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError) as error:
        raise CalendarError(f"The calendar's server {hostname} could not be found.") from error
    for answer in answers:
        ip = ipaddress.ip_address(answer[4][0].split("%")[0])
        if not ip.is_global or ip.is_multicast:
            raise CalendarError(f"{hostname} is on a private network that careerconv does not reach. "
                                "Please give the calendar's public address.")


def fetch(address, *, etag="", last_modified=""):
    """GET the address, conditionally when validators are given. Returns Fetched or raises CalendarError."""
    headers = {"User-Agent": USER_AGENT, "Accept": "text/calendar, */*;q=0.5"}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    url = normalise(address)
    timeout = settings.CALENDAR_TIMEOUT_SECONDS
    for _ in range(MAX_REDIRECTS + 1):
        check_address(url)
        try:
            response = requests.get(url, headers=headers, timeout=timeout, stream=True, allow_redirects=False)
        except requests.Timeout as error:
            raise CalendarError("The calendar's server did not answer in time.") from error
        except requests.RequestException as error:
            raise CalendarError("The calendar's server could not be reached.") from error
        with response:
            if response.is_redirect:
                url = urljoin(url, response.headers.get("Location", ""))
                continue
            return _answer(response, deadline=time.monotonic() + 3 * timeout)
    raise CalendarError(f"The address redirected more than {MAX_REDIRECTS} times.")


def _answer(response, *, deadline):
    if response.status_code == 304:
        return Fetched(not_modified=True)
    if response.status_code in (401, 403):
        raise CalendarError("The calendar's server refused access: the address may have been reset. "
                            "Please copy it again from your calendar.")
    if response.status_code == 404:
        raise CalendarError("There is no calendar at that address any more. Please copy it again.")
    if response.status_code != 200:
        raise CalendarError(f"The calendar's server answered with an error ({response.status_code}).")
    limit = settings.CALENDAR_MAX_BYTES
    if int(response.headers.get("Content-Length") or 0) > limit:
        raise CalendarError(_too_large(limit))
    body = bytearray()
    try:
        for chunk in response.iter_content(64 * 1024):
            body += chunk
            if len(body) > limit:
                raise CalendarError(_too_large(limit))
            # A server that drips bytes never trips the per-read timeout: the whole body has a deadline too.
            if time.monotonic() > deadline:
                raise CalendarError("The calendar's server did not send the whole calendar in time.")
    except requests.RequestException as error:
        raise CalendarError("The calendar's server did not send the whole calendar in time.") from error
    return Fetched(not_modified=False, text=body.decode(response.encoding or "utf-8", errors="replace"),
                   etag=response.headers.get("ETag", ""), last_modified=response.headers.get("Last-Modified", ""))


def _too_large(limit):
    return f"The calendar is larger than careerconv reads ({limit // (1024 * 1024)} MB)."
