"""tbprofile.py — builds a scratch HOME and Thunderbird profile for the e2e test.

Owns: everything under one scratch folder: HOME (with .mozilla/native-messaging-hosts and
.mozilla/managed-storage), the profile (prefs, sideloaded extensions) and the XDG folders the
host uses for its settings and history. Guarantees: nothing outside the scratch folder is read
or written by the Thunderbird started on it (no system policies are touched); the account sends
through the loopback SMTP sink and never fetches mail.
"""
import json
import os
import shutil
import sqlite3
import time
import uuid

EXTENSION_ID = "typoguard@typoguard.org"

QUIET_PREFS = {
    # no network, no first-run UI, no modal questions
    "toolkit.telemetry.enabled": False,
    "toolkit.telemetry.server": "",
    "datareporting.policy.dataSubmissionEnabled": False,
    "datareporting.healthreport.uploadEnabled": False,
    "app.update.enabled": False,
    "app.update.auto": False,
    "app.update.checkInstallTime": False,
    "extensions.update.enabled": False,
    "extensions.getAddons.cache.enabled": False,
    "mail.shell.checkDefaultClient": False,
    "mail.provider.enabled": False,
    "mailnews.start_page.enabled": False,
    "mail.rights.version": 1,
    "mail.ui.folderpane.version": 1,
    "browser.region.network.url": "",
    "browser.region.update.enabled": False,
    "network.captive-portal-service.enabled": False,
    "network.connectivity-service.enabled": False,
    "mail.collect_email_address_outgoing": False,
    "mail.warn_on_send_accel_key": False,
    "mailnews.auto_config.guess.enabled": False,
    # sideloaded add-ons must be enabled without asking
    "extensions.autoDisableScopes": 0,
    "extensions.enabledScopes": 15,
    "xpinstall.signatures.required": False,
    # console output of extensions on stdout, for the log
    "devtools.console.stdout.content": True,
    "devtools.console.stdout.chrome": True,
    "browser.dom.window.dump.enabled": True,
    # Marionette picks a free port and writes it to MarionetteActivePort
    "marionette.port": 0,
}


def account_prefs(smtp_port, email, full_name):
    return {
        "mail.accountmanager.accounts": "account1,account2",
        "mail.accountmanager.defaultaccount": "account1",
        "mail.accountmanager.localfoldersserver": "server2",
        "mail.account.account1.identities": "id1",
        "mail.account.account1.server": "server1",
        "mail.account.account2.server": "server2",
        "mail.identity.id1.fullName": full_name,
        "mail.identity.id1.useremail": email,
        "mail.identity.id1.smtpServer": "smtp1",
        "mail.identity.id1.fcc": False,
        "mail.identity.id1.valid": True,
        "mail.identity.id1.compose_html": False,
        "mail.identity.id1.draft_folder": "",
        "mail.server.server1.type": "pop3",
        "mail.server.server1.hostname": "127.0.0.1",
        "mail.server.server1.port": 1,
        "mail.server.server1.userName": "jane",
        "mail.server.server1.name": "e2e",
        "mail.server.server1.login_at_startup": False,
        "mail.server.server1.check_new_mail": False,
        "mail.server.server1.download_on_biff": False,
        "mail.server.server2.type": "none",
        "mail.server.server2.hostname": "Local Folders",
        "mail.server.server2.userName": "nobody",
        "mail.server.server2.name": "Local Folders",
        "mail.smtpservers": "smtp1",
        "mail.smtp.defaultserver": "smtp1",
        "mail.smtpserver.smtp1.hostname": "127.0.0.1",
        "mail.smtpserver.smtp1.port": smtp_port,
        "mail.smtpserver.smtp1.authMethod": 1,
        "mail.smtpserver.smtp1.try_ssl": 0,
        "mail.smtpserver.smtp1.username": "",
    }


def _pref_line(name, value):
    return f"user_pref({json.dumps(name)}, {json.dumps(value)});\n"


def make(root, *, smtp_port, sender_email, sender_name, extensions, host_path=None,
         managed=None, extra_prefs=None):
    """Creates root/home and root/profile. `extensions`: {id: path of .xpi or unpacked dir}.
    `host_path`: register the native host (None: no manifest, the host is "missing").
    `managed`: data for the managed-storage manifest of the product extension, or None.
    Returns (home, profile)."""
    if os.path.exists(root):
        shutil.rmtree(root)
    home = os.path.join(root, "home")
    profile = os.path.join(root, "profile")
    os.makedirs(os.path.join(profile, "extensions"))
    os.makedirs(home)
    prefs = {**QUIET_PREFS, **account_prefs(smtp_port, sender_email, sender_name), **(extra_prefs or {})}
    with open(os.path.join(profile, "user.js"), "w") as f:
        for name, value in prefs.items():
            f.write(_pref_line(name, value))
    for ext_id, path in extensions.items():
        shutil.copy(path, os.path.join(profile, "extensions", f"{ext_id}.xpi"))
    if host_path:
        write_native_manifest(home, host_path)
    if managed is not None:
        d = os.path.join(home, ".mozilla", "managed-storage")
        os.makedirs(d, exist_ok=True)
        with open(os.path.join(d, f"{EXTENSION_ID}.json"), "w") as f:
            json.dump({"name": EXTENSION_ID, "description": "typoguard e2e policy", "type": "storage",
                       "data": managed}, f)
    for sub in (".config", ".local/share", ".cache"):
        os.makedirs(os.path.join(home, sub), exist_ok=True)
    return home, profile


def write_native_manifest(home, host_path):
    d = os.path.join(home, ".mozilla", "native-messaging-hosts")
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "typoguard.json"), "w") as f:
        json.dump({"name": "typoguard", "description": "typoguard recipient checker (e2e)",
                   "path": os.path.abspath(host_path), "type": "stdio",
                   "allowed_extensions": [EXTENSION_ID]}, f, indent=2)


def write_address_book(profile, cards):
    """Writes the personal address book (abook.sqlite, schema 4 of Thunderbird's SQLiteDirectory)
    as Thunderbird stores it: each card's vCard plus the flat properties Thunderbird derives from
    it (DisplayName, FirstName, LastName, and only the first two addresses as PrimaryEmail and
    SecondEmail). `cards`: [(uid, first, last, [emails])]."""
    path = os.path.join(profile, "abook.sqlite")
    if os.path.exists(path):
        os.remove(path)
    db = sqlite3.connect(path)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("CREATE TABLE properties (card TEXT, name TEXT, value TEXT)")
    db.execute("CREATE TABLE lists (uid TEXT PRIMARY KEY, name TEXT, nickName TEXT, "
               "description TEXT)")
    db.execute("CREATE TABLE list_cards (list TEXT, card TEXT, PRIMARY KEY(list, card))")
    db.execute("CREATE INDEX properties_card ON properties(card)")
    db.execute("CREATE INDEX properties_name ON properties(name)")
    now = str(int(time.time()))
    rows = []
    for uid, first, last, emails in cards:
        lines = [f"EMAIL;PREF={i + 1}:{e}" for i, e in enumerate(emails)]
        vcard = "\r\n".join(["BEGIN:VCARD", "VERSION:4.0", f"FN:{first} {last}",
                              f"N:{last};{first};;;", *lines, f"UID:{uid}", "END:VCARD", ""])
        props = [("_vCard", vcard), ("DisplayName", f"{first} {last}"), ("FirstName", first),
                 ("LastName", last), ("LastModifiedDate", now)]
        props += list(zip(("PrimaryEmail", "SecondEmail"), emails))
        rows += [(uid, name, value) for name, value in props]
    db.executemany("INSERT INTO properties VALUES (?, ?, ?)", rows)
    db.execute("PRAGMA user_version = 4")
    db.commit()
    db.close()


FIRST = ["James", "Mary", "Robert", "Patricia", "John", "Jennifer", "Michael", "Linda", "David",
         "Elizabeth", "William", "Barbara", "Richard", "Susan", "Joseph", "Jessica", "Thomas",
         "Sarah", "Charles", "Karen", "Ana", "Jürgen", "Zoë", "Wei", "Olga", "Kwame", "Priya"]
LAST = ["Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Rodriguez",
        "Martinez", "Hernandez", "Lopez", "Gonzalez", "Wilson", "Anderson", "Thomas", "Taylor",
        "Moore", "Jackson", "Martin", "Müller", "Nguyen", "Kowalski", "Okafor", "Ivanova"]


def synthetic_card(i, n):
    """Contact i of synthetic_book(n)."""
    first, last = FIRST[i % len(FIRST)], LAST[(i // len(FIRST)) % len(LAST)]
    email = f"{first.lower()}.{last.lower()}{i}@org{i % max(1, n // 10)}.example.com"
    return (str(uuid.UUID(int=i + 1)), first, last, [email.encode("ascii", "ignore").decode()])


def synthetic_book(n):
    """n contacts for write_address_book: a name and one address each, at about n/10 domains."""
    return [synthetic_card(i, n) for i in range(n)]
