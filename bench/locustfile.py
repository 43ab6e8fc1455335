"""Locust users for ``bench/load.py``: signed-in staff on a list/detail mix, anonymous visitors on public pages.

Run through ``bench/load.py`` (it starts gunicorn on a seeded scratch database and writes ``LOAD_IDS``); by hand:
``LOAD_IDS=/tmp/gf_load_ids.json locust -f bench/locustfile.py --host http://127.0.0.1:8765 StaffUser``.
"""

import itertools
import json
import os
import random
import re
from pathlib import Path
from urllib.parse import urlencode

from locust import FastHttpUser, constant, task

IDS = json.loads(Path(os.environ["LOAD_IDS"]).read_text(encoding="utf-8")) if os.environ.get("LOAD_IDS") else {}
PASSWORD = IDS.get("password", "scale-bench-2026")
ACCOUNTS = itertools.cycle(IDS.get("accounts", ["scale_staff"]))
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


class StaffUser(FastHttpUser):
    """City staff and district officers: mostly list pages (first and later pages, filters), some dossier pages.

    FastHttpUser (geventhttpclient) rather than HttpUser (requests): locust shares the 2 cores with gunicorn, and
    the lighter client leaves more of them to the server being measured. A timeout after 60 s counts as a failure
    (``network_timeout``).
    """

    network_timeout = connection_timeout = 60.0

    # No think time: the targets (issue 13) are what 8 (32) clients at full speed get, e.g. ≥ 50 req/s for 8
    # signed-in clients; with 0.5–1.5 s of think time 8 clients could never ask for more than ~8 req/s.
    wait_time = constant(0)

    def on_start(self):
        self.username = next(ACCOUNTS)
        self.ids = IDS.get("dossiers", {}).get(self.username, [])
        self.city = not self.username.startswith("scale_district_")
        page = self.client.get("/accounts/login/", name="login (GET)")
        token = CSRF.search(page.text)
        form = {"username": self.username, "password": PASSWORD, "csrfmiddlewaretoken": token.group(1) if token else ""}
        self.client.post(
            "/accounts/login/",
            data=urlencode(form),
            headers={"Referer": self.host + "/accounts/login/", "Content-Type": "application/x-www-form-urlencoded"},
            name="login (POST)",
        )

    def get(self, url, name):
        # Redirects are not followed: a signed-out client is sent to the login page, which must count as a failure.
        with self.client.get(url, name=name, catch_response=True, allow_redirects=False) as response:
            if response.status_code == 302 and "/accounts/login/" in (response.headers.get("Location") or ""):
                response.failure("not signed in")
            elif response.status_code != 200:
                response.failure(f"{response.status_code}")

    @task(4)
    def workspace(self):
        self.get("/workspace/", "/workspace/")

    @task(2)
    def workspace_later_page(self):
        self.get(f"/workspace/?page={random.randint(2, 40)}", "/workspace/?page=n")

    @task(1)
    def workspace_filtered(self):
        state = random.choice(["pooled", "submitted", "listed", "in_review", "recommended"])
        self.get(f"/workspace/?state={state}", "/workspace/?state=x")

    @task(4)
    def dossier(self):
        if self.ids:
            self.get(f"/dossiers/{random.choice(self.ids)}/", "/dossiers/<pk>/")

    @task(2)
    def role_lists(self):
        if self.city:
            url = random.choice(["/city/conformity/", "/city/review/", "/rechecks/", "/annual/", "/city/reports/"])
        else:
            url = random.choice(["/district/pool/", "/district/queue/", "/rechecks/", "/annual/", "/district/reports/"])
        self.get(url, url)

    @task(1)
    def dashboard(self):
        self.get("/dashboard/", "/dashboard/")

    @task(1)
    def inbox(self):
        self.get("/accounts/inbox/", "/accounts/inbox/")


class PublicUser(FastHttpUser):
    """The public on the day a list is published: the list above all, then home, removals, publicity."""

    wait_time = constant(0)
    network_timeout = connection_timeout = 60.0

    def get(self, url, name):
        with self.client.get(url, name=name, catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"{response.status_code}")

    @task(6)
    def public_lists(self):
        self.get("/public/lists/", "/public/lists/")

    @task(2)
    def public_lists_page(self):
        self.get(f"/public/lists/?page={random.randint(2, 20)}", "/public/lists/?page=n")

    @task(2)
    def home(self):
        self.get("/", "/")

    @task(1)
    def removals(self):
        self.get("/public/removals/", "/public/removals/")

    @task(1)
    def publicity(self):
        self.get("/public/publicity/", "/public/publicity/")
