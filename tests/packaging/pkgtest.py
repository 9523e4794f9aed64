#!/usr/bin/python3
"""pkgtest.py — tests of the packages that `cpack` builds from the build tree (packaging/).

Owns: building the .deb, .tar.gz and (when rpmbuild exists) .rpm into one scratch folder, and
checking each as an administrator would meet it: metadata (Depends from the program's real
NEEDED libraries, conffiles, maintainer), the file list (paths, modes, owners, the /usr/bin
link), the contents unpacked into a fresh root (every JSON parses, the manifest names the
installed program, the policy example changes nothing yet documents every setting key, the
man page renders without warnings), the unpacked program run (--version, the .ml case), the
self-test of the package "installed" through a private overlay mount (nothing on the machine
changes), lintian, and the enterprise examples (policies.json, .reg, .mobileconfig) against the
host's own table of setting keys.

Guarantees: nothing outside the scratch folders given on the command line is written; the
overlay mounts live in a private mount namespace that ends with the checked process. Exit
status 0 pass, 1 fail, 77 skipped (a tool or permission is missing; ctest SKIP_RETURN_CODE).

Usage: pkgtest.py COMMAND --build BUILD_DIR --source SOURCE_DIR --out OUT_DIR --version X.Y.Z
       COMMAND: build (cpack into OUT) | deb | milter (the .deb typoguard-milter) | rpm | tgz
                | lintian | installed (need build)
                | enterprise (the source's examples and the built host only)
"""
import argparse
import gzip
import hashlib
import json
import os
import plistlib
import re
import shutil
import stat
import subprocess
import sys
import tempfile
import zipfile

EXT_ID = "typoguard@typoguard.org"
HOST = "/usr/lib/typoguard/typoguard-host"
MOZ_MANIFEST = "/usr/lib/mozilla/native-messaging-hosts/typoguard.json"
XPI = "/usr/share/typoguard/typoguard.xpi"
POLICY = "/etc/typoguard/policy.conf"
DOC = "/usr/share/doc/typoguard"
SKIP = 77

# What every package must hold: path -> (kind, permission bits). "link:T" is a symlink to T.
EXPECTED = {
    HOST: ("file", 0o755),
    "/usr/bin/typoguard-host": ("link:../lib/typoguard/typoguard-host", None),
    MOZ_MANIFEST: ("file", 0o644),
    XPI: ("file", 0o644),
    POLICY: ("file", 0o644),
    "/usr/share/man/man1/typoguard-host.1.gz": ("file", 0o644),
    "/usr/bin/typoguard-sendmail": ("file", 0o755),
    "/usr/share/man/man1/typoguard-sendmail.1.gz": ("file", 0o644),
    DOC + "/copyright": ("file", 0o644),
    DOC + "/changelog.Debian.gz": ("file", 0o644),
    DOC + "/README.md": ("file", 0o644),
    DOC + "/DEPLOY.md": ("file", 0o644),
    DOC + "/examples/policies.json": ("file", 0o644),
    DOC + "/examples/typoguard.reg": ("file", 0o644),
    DOC + "/examples/typoguard.mobileconfig": ("file", 0o644),
}
# The .deb typoguard-milter (built with TYPOGUARD_MILTER): path -> (kind, mode), as EXPECTED.
MILTER = "/usr/sbin/typoguard-milter"
MILTER_CONF = "/etc/typoguard/milter.conf"
MILTER_UNIT = "/usr/lib/systemd/system/typoguard-milter.service"
MILTER_DOC = "/usr/share/doc/typoguard-milter"
MILTER_EXPECTED = {
    MILTER: ("file", 0o755),
    MILTER_CONF: ("file", 0o644),
    MILTER_UNIT: ("file", 0o644),
    "/usr/lib/sysusers.d/typoguard-milter.conf": ("file", 0o644),
    "/usr/share/man/man8/typoguard-milter.8.gz": ("file", 0o644),
    MILTER_DOC + "/copyright": ("file", 0o644),
    MILTER_DOC + "/changelog.Debian.gz": ("file", 0o644),
}

# Libraries the program links, by the Debian package that must be in Depends (regex on names).
# The test also derives the packages from the binary itself; this table is the floor.
REQUIRED_DEPENDS = [r"libc6", r"libglib2\.0-0", r"libcjson1", r"libidn2-0", r"libpsl5",
                    r"libicu\d+", r"publicsuffix"]
# lintian info tags accepted in a package built from a plain build tree: the hardening flags come
# from dpkg-buildflags, which packaging/build-packages.sh uses and a developer's build does not.
ACCEPTED_INFO_TAGS = {"hardening-no-bindnow", "hardening-no-fortify-functions"}

failures = []


def check(cond, what):
    print(("ok    " if cond else "FAIL  ") + what, flush=True)
    if not cond:
        failures.append(what)
    return cond


def run(cmd, **kw):
    kw.setdefault("capture_output", True)
    kw.setdefault("text", True)
    return subprocess.run(cmd, **kw)


def setting_keys(source):
    """The setting keys from the host's one table of them (host/src/config.c, kSettingKeys)."""
    text = open(os.path.join(source, "host/src/config.c"), encoding="utf-8").read()
    table = text[text.index("kSettingKeys[]"):]
    table = table[:table.index("};")]
    keys = re.findall(r'\{"(\w+)",\s*KEY_(\w+)', table)
    assert len(keys) >= 11, keys
    return dict(keys)


def package(out, pattern):
    found = [f for f in os.listdir(out) if re.fullmatch(pattern, f)]
    if len(found) != 1:
        print(f"no single package matching {pattern} in {out}: {found}", file=sys.stderr)
        sys.exit(1)
    return os.path.join(out, found[0])


# ---- checks shared by every package format --------------------------------------------------

def check_tree(root, args, keys):
    """The unpacked package under `root`, as it would be installed at /."""
    for path, (kind, mode) in EXPECTED.items():
        p = root + path
        if kind.startswith("link:"):
            check(os.path.islink(p) and os.readlink(p) == kind[5:], f"{path} -> {kind[5:]}")
            check(os.access(p, os.X_OK), f"{path} resolves to an executable inside the root")
        else:
            ok = os.path.isfile(p) and not os.path.islink(p)
            check(ok, f"{path} is a file")
            if ok and mode is not None:
                got = stat.S_IMODE(os.stat(p).st_mode)
                check(got == mode, f"{path} mode {got:o} (want {mode:o})")

    # Test hooks are compiled only into test builds (atomicfile.h): no shipped program has one.
    for dirpath, _, files in os.walk(root):
        for f in files:
            p = os.path.join(dirpath, f)
            if os.path.isfile(p) and not os.path.islink(p) and os.access(p, os.X_OK):
                with open(p, "rb") as fh:
                    check(b"TYPOGUARD_TEST_" not in fh.read(), f"{p[len(root):]} holds no test hook")

    # Every JSON file parses; every native manifest names the installed program.
    for dirpath, _, files in os.walk(root):
        for f in files:
            if f.endswith(".json"):
                p = os.path.join(dirpath, f)
                try:
                    json.load(open(p, encoding="utf-8"))
                    check(True, f"{p[len(root):]} parses")
                except ValueError as e:
                    check(False, f"{p[len(root):]} parses ({e})")
    m = json.load(open(root + MOZ_MANIFEST, encoding="utf-8"))
    check(m.get("name") == "typoguard", "manifest name is typoguard (= file name)")
    check(m.get("type") == "stdio", "manifest type is stdio")
    check(m.get("path") == HOST, f"manifest path is {HOST} (got {m.get('path')})")
    check(os.access(root + m.get("path", "/nonexistent"), os.X_OK),
          "manifest path is an executable in the package")

    # Chrome/Chromium manifests (only when built with TYPOGUARD_CHROME_EXTENSION_ID).
    for chrome in ("/etc/opt/chrome/native-messaging-hosts/typoguard.json",
                   "/etc/chromium/native-messaging-hosts/typoguard.json"):
        if os.path.exists(root + chrome):
            cm = json.load(open(root + chrome, encoding="utf-8"))
            origins = cm.get("allowed_origins", [])
            check(cm.get("name") == "typoguard" and cm.get("path") == HOST and len(origins) == 1
                  and re.fullmatch(r"chrome-extension://[a-p]{32}/", origins[0]) is not None,
                  f"{chrome} names {HOST} and one chrome-extension:// origin")

    # The extension: a zip with manifest.json at its root whose id the manifest allows.
    with zipfile.ZipFile(root + XPI) as z:
        em = json.loads(z.read("manifest.json"))
    gecko_id = em.get("browser_specific_settings", {}).get("gecko", {}).get("id")
    check(gecko_id == EXT_ID, f"xpi id is {EXT_ID}")
    check(m.get("allowed_extensions") == [gecko_id], "manifest allows exactly the xpi's id")
    check(em.get("version") == args.version,
          f"xpi version {em.get('version')} = package version {args.version}")

    # The shipped policies.json force-installs the shipped xpi.
    pol = json.load(open(root + DOC + "/examples/policies.json", encoding="utf-8"))["policies"]
    url = pol["ExtensionSettings"][EXT_ID]["install_url"]
    check(url == "file://" + XPI and os.path.isfile(root + XPI),
          f"examples/policies.json installs {url}, which the package holds")

    check_policy_conf(root, args, keys)

    # The man page renders without a warning and names the program.
    if not shutil.which("man"):
        print("      (man is not installed: the man page is not rendered)")
        man = None
    else:
        man = run(["man", "--warnings", "-E", "UTF-8", "-l", root + "/usr/share/man/man1/typoguard-host.1.gz"],
                  env={**os.environ, "MANWIDTH": "80", "LC_ALL": "C.UTF-8", "MANPAGER": "cat", "PAGER": "cat"})
    if man is not None:
        check(man.returncode == 0 and "typoguard-host" in man.stdout, "man page renders")
        check(man.stderr.strip() == "", f"man page renders without warnings {man.stderr.strip()!r}")
        check(all(k in man.stdout for k in keys), "man page names every setting key")

    copyright_text = open(root + DOC + "/copyright", encoding="utf-8").read()
    check(copyright_text.startswith("Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/"),
          "copyright is machine-readable (DEP-5)")
    first = gzip.open(root + DOC + "/changelog.Debian.gz", "rt").readline()
    check(first.startswith(f"typoguard ({args.version}-1) "), f"changelog names {args.version}-1")

    # The unpacked program runs (through the /usr/bin link) and blocks the .ml slip.
    exe = root + "/usr/bin/typoguard-host"
    v = run([exe, "--version"])
    check(v.returncode == 0 and v.stdout.strip() == f"typoguard-host {args.version}",
          f"--version says typoguard-host {args.version} ({v.stdout.strip()!r})")
    c = run([exe, "--check", "--json", "--policy", "/nonexistent/policy.conf",
             "--sender", "Jane Roe <jane.roe@mail.mil>", "John Doe <john.doe@army.ml>"],
            env={**os.environ, "HOME": tempfile.mkdtemp(dir=args.work), "XDG_CONFIG_HOME": "",
                 "XDG_DATA_HOME": ""})
    check(c.returncode == 2, f"--check of army.ml exits 2 (got {c.returncode}: {c.stderr.strip()})")
    try:
        r = json.loads(c.stdout)
        f = r["findings"][0]
        check(r["verdict"] == "block" and f["code"] == "tld_confusion"
              and f["suggestion"] == "john.doe@army.mil",
              "--check --json: block, tld_confusion, suggestion john.doe@army.mil")
    except (ValueError, KeyError, IndexError) as e:
        check(False, f"--check --json output is a result ({e}): {c.stdout[:200]!r}")
    # A Cyrillic lookalike: the program finds ICU (loaded with dlopen) by the name it was built with.
    h = run([exe, "--check", "--json", "--policy", "/nonexistent/policy.conf", "x@\u0430rmy.mil"],
            env={**os.environ, "HOME": tempfile.mkdtemp(dir=args.work), "XDG_CONFIG_HOME": "",
                 "XDG_DATA_HOME": ""})
    codes = [f.get("code") for f in json.loads(h.stdout or "{}").get("findings", [])]
    # army.mil is built in, not the user's: a lookalike of it warns (exit 1); of a trusted one, blocks.
    check(h.returncode == 1 and "homoglyph" in codes, f"--check of \u0430rmy.mil finds a homoglyph ({codes})")
    # typoguard-sendmail: without a terminal a block is not sent (65), and its man page renders.
    home = tempfile.mkdtemp(dir=args.work)
    s = run([root + "/usr/bin/typoguard-sendmail", "-oi", "--", "john.doe@army.ml"],
            input="Subject: x\n\nbody\n",
            env={**os.environ, "HOME": home, "XDG_CONFIG_HOME": "", "XDG_DATA_HOME": "",
                 "TYPOGUARD_POLICY": "/nonexistent/policy.conf", "TYPOGUARD_TTY": "none"})
    check(s.returncode == 65 and "tld_confusion" in s.stderr,
          f"typoguard-sendmail blocks army.ml without a terminal (exit {s.returncode})")
    if shutil.which("man"):
        m = run(["man", "--warnings", "-E", "UTF-8", "-l",
                 root + "/usr/share/man/man1/typoguard-sendmail.1.gz"],
                env={**os.environ, "MANWIDTH": "80", "LC_ALL": "C.UTF-8", "MANPAGER": "cat",
                     "PAGER": "cat"})
        check(m.returncode == 0 and "typoguard-sendmail" in m.stdout and m.stderr.strip() == "",
              f"typoguard-sendmail's man page renders without warnings {m.stderr.strip()!r}")


def uncommented_policy(text, files_dir):
    """The example with its commented keys switched on (and list files that exist)."""
    out = []
    for line in text.splitlines():
        mm = re.fullmatch(r"#(\[typoguard\]|\w+ = .*)", line)
        if mm:
            line = mm.group(1)
            key = line.split(" = ")[0]
            if key.endswith("_file"):
                path = os.path.join(files_dir, key + ".txt")
                with open(path, "w") as f:
                    f.write("example.net\n")
                line = f"{key} = {path}"
        out.append(line)
    return "\n".join(out) + "\n"


def check_policy_conf(root, args, keys):
    text = open(root + POLICY, encoding="utf-8").read()
    live = [l for l in text.splitlines() if l.strip() and not l.lstrip().startswith("#")]
    check(live == [], f"{POLICY}: every line is a comment (live: {live[:3]})")
    documented = set(re.findall(r"^#(\w+) = ", text, re.M))
    check(documented == set(keys), f"{POLICY} documents exactly the setting keys "
          f"(missing {sorted(set(keys) - documented)}, unknown {sorted(documented - set(keys))})")
    # Switched on, every example line is accepted by the packaged program itself.
    d = tempfile.mkdtemp(dir=args.work)
    on = os.path.join(d, "policy.conf")
    with open(on, "w") as f:
        f.write(uncommented_policy(text, d))
    home = tempfile.mkdtemp(dir=args.work)
    r = run([root + "/usr/bin/typoguard-host", "--selftest", "--json", "--policy", on],
            env={**os.environ, "HOME": home, "XDG_CONFIG_HOME": "", "XDG_DATA_HOME": ""})
    try:
        checks = {c["name"]: c for c in json.loads(r.stdout)["checks"]}
        p = checks["policy"]
        check(p["status"] == "ok" and all(k in p["detail"] for k in keys),
              f"the example's keys, switched on, are all accepted: {p['detail']}")
    except (ValueError, KeyError) as e:
        check(False, f"--selftest --json with the example switched on ({e}): {r.stdout[:300]!r}")


# ---- commands ----------------------------------------------------------------------------------

def cmd_build(args, keys):
    """cpack every generator into OUT (the fixture of the other tests)."""
    if os.path.exists(args.out):
        shutil.rmtree(args.out)
    os.makedirs(args.out)
    gens = ["DEB", "TGZ"] + (["RPM"] if shutil.which("rpmbuild") else [])
    r = run(["cpack", "-G", ";".join(gens), "-B", args.out,
             "--config", os.path.join(args.build, "CPackConfig.cmake")], cwd=args.build)
    print(r.stdout[-3000:], r.stderr[-3000:])
    check(r.returncode == 0, f"cpack -G {';'.join(gens)}")
    shutil.rmtree(os.path.join(args.out, "_CPack_Packages"), ignore_errors=True)


def unpack_root(args, name):
    root = os.path.join(args.work, "root-" + name)
    os.makedirs(root)
    return root


def deb_field(info, name):
    m = re.search(rf"^ {name}: (.*)$", info, re.M)
    return m.group(1).strip() if m else None


def needed_packages(binary):
    """Debian packages holding the libraries the program needs: its NEEDED entries, and the
    sonames it names in its text for dlopen (ICU), which dpkg-shlibdeps cannot see."""
    out = run(["objdump", "-p", binary]).stdout
    sonames = re.findall(r"^\s+NEEDED\s+(\S+)", out, re.M)
    data = open(binary, "rb").read()
    sonames += sorted({m.decode() for m in re.findall(rb"lib[A-Za-z0-9_+-]+\.so\.[0-9]+(?=\0)", data)}
                      - set(sonames))
    cache = run(["ldconfig", "-p"]).stdout
    pkgs = {}
    for so in sonames:
        m = re.search(rf"^\s+{re.escape(so)} \(libc6,x86-64[^)]*\) => (\S+)", cache, re.M) or \
            re.search(rf"^\s+{re.escape(so)} \([^)]*\) => (\S+)", cache, re.M)
        if not m:
            pkgs[so] = None
            continue
        path = os.path.realpath(m.group(1))
        s = run(["dpkg", "-S", path])
        if s.returncode != 0:  # usrmerge: dpkg knows /lib/… but ldconfig says /usr/lib/…
            s = run(["dpkg", "-S", path.replace("/usr/lib/", "/lib/", 1)])
        pkgs[so] = s.stdout.split(":")[0] if s.returncode == 0 else None
    return pkgs


def cmd_deb(args, keys):
    deb = package(args.out, r"typoguard_.*\.deb")
    info = run(["dpkg-deb", "-I", deb]).stdout
    arch = run(["dpkg", "--print-architecture"]).stdout.strip()
    table = [("Package", "typoguard"), ("Version", f"{args.version}-1"), ("Architecture", arch),
             ("Section", "mail"), ("Priority", "optional")]
    for field, want in table:
        got = deb_field(info, field)
        check(got == want, f"control {field}: {got} (want {want})")
    check(re.fullmatch(r".+ <[^@\s]+@[^@\s]+>", deb_field(info, "Maintainer") or "") is not None,
          f"control Maintainer is 'Name <address>': {deb_field(info, 'Maintainer')}")
    check("army.ml" in info and " ." in info, "control Description has an extended text")
    depends = deb_field(info, "Depends") or ""
    names = {d.strip().split(" ")[0] for d in depends.split(",")}
    for pat in REQUIRED_DEPENDS:
        check(any(re.fullmatch(pat, n) for n in names), f"Depends has {pat}: {depends}")

    ctrl = tempfile.mkdtemp(dir=args.work)
    run(["dpkg-deb", "-e", deb, ctrl], check=True)
    conffiles = open(os.path.join(ctrl, "conffiles")).read().split()
    root = unpack_root(args, "deb")
    run(["dpkg-deb", "-x", deb, root], check=True)
    in_etc = sorted("/" + os.path.relpath(os.path.join(d, f), root)
                    for d, _, fs in os.walk(os.path.join(root, "etc")) for f in fs)
    check(POLICY in conffiles, f"conffiles lists {POLICY}: {conffiles}")
    check(sorted(conffiles) == in_etc, f"conffiles = every file under /etc ({in_etc})")
    check(stat.S_IMODE(os.stat(os.path.join(ctrl, "conffiles")).st_mode) == 0o644,
          "conffiles mode 644")
    # md5sums cover every regular file, and match.
    sums = {}
    for line in open(os.path.join(ctrl, "md5sums")):
        digest, path = line.rstrip("\n").split("  ", 1)
        sums["/" + path] = digest
    files = ["/" + os.path.relpath(os.path.join(d, f), root)
             for d, _, fs in os.walk(root) for f in fs
             if not os.path.islink(os.path.join(d, f))]
    bad = [p for p in files if p not in conffiles and
           sums.get(p) != hashlib.md5(open(root + p, "rb").read()).hexdigest()]
    check(bad == [], f"md5sums match every file ({bad[:3]})")
    # Owners are root in the archive whoever built it.
    listing = run(["dpkg-deb", "-c", deb]).stdout.splitlines()
    check(all(l.split()[1] == "root/root" for l in listing), "every entry is owned by root/root")
    # The Depends cover what the program really links.
    for so, pkg in needed_packages(root + HOST).items():
        check(pkg is not None and pkg in names, f"NEEDED {so} comes from {pkg}, in Depends")

    check_tree(root, args, keys)
    if milter_deb(args):
        check(not any(os.path.exists(root + p) for p in MILTER_EXPECTED),
              "the typoguard .deb holds none of typoguard-milter's files (its own package)")


def milter_deb(args):
    found = [f for f in os.listdir(args.out) if re.fullmatch(r"typoguard-milter_.*\.deb", f)]
    return os.path.join(args.out, found[0]) if len(found) == 1 else None


def cmd_milter(args, keys):
    """The .deb typoguard-milter: its control data, conffile, maintainer script, files, service
    unit, man page, and the unpacked milter reading the shipped configuration."""
    deb = milter_deb(args)
    if not deb:
        print("SKIP: no typoguard-milter .deb (built without TYPOGUARD_MILTER)")
        return SKIP
    info = run(["dpkg-deb", "-I", deb]).stdout
    for field, want in [("Package", "typoguard-milter"), ("Version", f"{args.version}-1"),
                        ("Section", "mail"), ("Priority", "optional")]:
        got = deb_field(info, field)
        check(got == want, f"milter control {field}: {got} (want {want})")
    check("army.ml" in info and " ." in info and "Postfix" in info,
          "milter control Description has an extended text")
    depends = deb_field(info, "Depends") or ""
    names = {d.strip().split(" ")[0] for d in depends.split(",")}
    for pat in REQUIRED_DEPENDS + [r"libmilter[\d.]+"]:
        check(any(re.fullmatch(pat, n) for n in names), f"milter Depends has {pat}: {depends}")
    ctrl = tempfile.mkdtemp(dir=args.work)
    run(["dpkg-deb", "-e", deb, ctrl], check=True)
    conffiles = open(os.path.join(ctrl, "conffiles")).read().split()
    check(conffiles == [MILTER_CONF], f"milter conffiles = [{MILTER_CONF}]: {conffiles}")
    postinst = os.path.join(ctrl, "postinst")
    check(os.path.isfile(postinst) and os.access(postinst, os.X_OK)
          and "systemd-sysusers typoguard-milter.conf" in open(postinst).read(),
          "milter postinst creates the system user (systemd-sysusers)")
    root = unpack_root(args, "milter")
    run(["dpkg-deb", "-x", deb, root], check=True)
    in_etc = sorted("/" + os.path.relpath(os.path.join(d, f), root)
                    for d, _, fs in os.walk(os.path.join(root, "etc")) for f in fs)
    check(in_etc == [MILTER_CONF], f"the milter package's only file under /etc is {MILTER_CONF}")
    for path, (kind, mode) in MILTER_EXPECTED.items():
        ok = os.path.isfile(root + path) and not os.path.islink(root + path)
        check(ok, f"{path} is a file")
        if ok:
            got = stat.S_IMODE(os.stat(root + path).st_mode)
            check(got == mode, f"{path} mode {got:o} (want {mode:o})")
    check(not os.path.exists(root + HOST) and not os.path.exists(root + XPI),
          "the milter package holds no desktop parts (host, extension)")
    listing = run(["dpkg-deb", "-c", deb]).stdout.splitlines()
    check(all(l.split()[1] == "root/root" for l in listing),
          "every milter entry is owned by root/root")
    for so, pkg in needed_packages(root + MILTER).items():
        check(pkg is not None and pkg in names, f"milter NEEDED {so} comes from {pkg}, in Depends")
    unit = open(root + MILTER_UNIT).read()
    check(f"ExecStart={MILTER} --config {MILTER_CONF}" in unit,
          "the unit starts the packaged milter")
    check(re.search(r"^User=typoguard$", unit, re.M) is not None
          and re.search(r"^User=root$", unit, re.M) is None,
          "the unit runs unprivileged (User=typoguard)")
    sysusers = open(root + "/usr/lib/sysusers.d/typoguard-milter.conf").read()
    check(re.search(r"^u typoguard ", sysusers, re.M) is not None,
          "sysusers.d creates the user typoguard")
    if shutil.which("man"):
        man = run(["man", "--warnings", "-E", "UTF-8", "-l",
                   root + "/usr/share/man/man8/typoguard-milter.8.gz"],
                  env={**os.environ, "MANWIDTH": "80", "LC_ALL": "C.UTF-8", "MANPAGER": "cat",
                       "PAGER": "cat"})
        check(man.returncode == 0 and "typoguard-milter" in man.stdout
              and "milter.conf" in man.stdout, "the milter's man page renders")
        check(man.stderr.strip() == "",
              f"the milter's man page renders without warnings {man.stderr.strip()!r}")
    first = gzip.open(root + MILTER_DOC + "/changelog.Debian.gz", "rt").readline()
    check(first.startswith(f"typoguard ({args.version}-1) "),
          "the milter's changelog names the version")
    # The unpacked (stripped) milter runs and reads the shipped configuration, org_domains set.
    exe = root + MILTER
    v = run([exe, "--version"])
    check(v.returncode == 0 and v.stdout.startswith(f"typoguard-milter {args.version}"),
          f"milter --version ({v.stdout.strip()!r})")
    conf = os.path.join(args.work, "milter.conf")
    shipped = open(root + MILTER_CONF, encoding="utf-8").read()
    with open(conf, "w", encoding="utf-8") as f:
        f.write(re.sub(r"^\[typoguard\]$", "[typoguard]\norg_domains = example.org", shipped,
                       count=1, flags=re.M))
    c = run([exe, "--config", conf, "--check-config"])
    check(c.returncode == 0 and "configuration ok" in c.stderr,
          "milter --check-config accepts the shipped milter.conf plus org_domains "
          f"({c.stderr.strip()[-300:]!r})")


def cmd_rpm(args, keys):
    if not shutil.which("rpm"):
        print("SKIP: rpm is not installed")
        return SKIP
    rpmf = package(args.out, r"typoguard-.*\.rpm")
    q = lambda *a: run(["rpm", "-qp", *a, rpmf]).stdout  # noqa: E731
    check(q("--qf", "%{NAME} %{VERSION}-%{RELEASE}") == f"typoguard {args.version}-1",
          "rpm name and version")
    in_etc = sorted(p for p in q("-l").split() if p.startswith("/etc/") and "." in os.path.basename(p))
    check(POLICY in q("--configfiles").split() and sorted(q("--configfiles").split()) == in_etc,
          f"rpm config files = the files under /etc: {q('--configfiles').split()}")
    reqs = q("--requires")
    for lib in ["libglib-2.0.so.0", "libcjson.so.1", "libidn2.so.0", "libpsl.so.5", "libicui18n.so.",
                "publicsuffix"]:
        check(lib in reqs, f"rpm requires {lib}")
    owned = set(q("-l").split())
    for shared in ["/usr/lib/mozilla", "/usr/lib/mozilla/native-messaging-hosts", "/usr/share/man",
                   "/usr/share/man/man1", "/usr/bin", "/etc"]:
        check(shared not in owned, f"rpm does not own the shared folder {shared}")
    root = unpack_root(args, "rpm")
    with open(rpmf, "rb") as f:  # rpm2archive: the payload as a tar.gz (Debian has no cpio)
        a = subprocess.run(["rpm2archive", "-"], stdin=f, capture_output=True, check=True)
    subprocess.run(["tar", "-xz", "-C", root], input=a.stdout, check=True)
    check_tree(root, args, keys)


def cmd_tgz(args, keys):
    tgz = package(args.out, r"typoguard-.*\.tar\.gz")
    root = unpack_root(args, "tgz")
    run(["tar", "-xzf", tgz, "-C", root], check=True)
    check(sorted(os.listdir(root)) == ["etc", "usr"], f"the archive unpacks at / (usr, etc): {os.listdir(root)}")
    check_tree(root, args, keys)


def cmd_lintian(args, keys):
    if not shutil.which("lintian"):
        print("SKIP: lintian is not installed")
        return SKIP
    deb = package(args.out, r"typoguard_.*\.deb")
    debs = [deb] + ([milter_deb(args)] if milter_deb(args) else [])
    # One run (lintian takes 15-40 s): every tag, overridden ones included, then judged here.
    r = run(["lintian", "--info", "--pedantic", "--show-overrides", "--fail-on", "none", *debs])
    print(r.stdout, r.stderr)
    tags = re.findall(r"^([EWIPXO]): typoguard(?:-milter)?: (\S+)", r.stdout, re.M)
    check(r.returncode == 0, f"lintian ran (exit {r.returncode})")
    errors = [t for kind, t in tags if kind in "EW"]
    check(errors == [], f"lintian: no error or warning ({errors})")
    unexpected = [t for kind, t in tags if kind == "P" or (kind == "I" and t not in ACCEPTED_INFO_TAGS)]
    check(unexpected == [], f"lintian: no pedantic or info tag beyond the accepted ones ({unexpected})")
    overridden = sorted(t for kind, t in tags if kind == "O")
    print(f"      overridden (packaging/lintian-overrides says why): {overridden}")


def in_namespace(root, extra_etc, cmd, env):
    """Runs cmd with the package's /usr and /etc laid over the machine's, in a private mount
    namespace: the machine itself never sees the files."""
    lowers = [("usr", [root + "/usr"]), ("etc", [root + "/etc"] + ([extra_etc] if extra_etc else []))]
    script = "set -e\n"
    for top, layers in lowers:
        script += f"mount -t overlay overlay -o lowerdir={':'.join(layers)}:/{top} /{top}\n"
    script += 'exec "$@"\n'
    return run(["unshare", "--mount", "--propagation", "private", "sh", "-c", script, "sh", *cmd],
               env=env)


def cmd_installed(args, keys):
    """The .deb as if installed: --selftest from /usr/bin, and the manifest starts the host."""
    deb = package(args.out, r"typoguard_.*\.deb")
    root = unpack_root(args, "deb")
    run(["dpkg-deb", "-x", deb, root], check=True)
    probe = in_namespace(root, None, ["true"], os.environ)
    if probe.returncode != 0:
        print(f"SKIP: no private overlay mounts here ({probe.stderr.strip()})")
        return SKIP
    home = tempfile.mkdtemp(dir=args.work)
    env = {"PATH": "/usr/bin:/bin", "HOME": home, "LANG": "C.UTF-8"}
    r = in_namespace(root, None, ["/usr/bin/typoguard-host", "--selftest", "--json"], env)
    try:
        res = json.loads(r.stdout)
    except ValueError:
        check(False, f"--selftest --json output: {r.stdout[:300]!r} {r.stderr[:300]!r}")
        return
    for c in res["checks"]:
        print(f"      {c['status']:5} {c['name']}: {c['detail']}")
    checks = {c["name"]: c for c in res["checks"]}
    check(res["ok"] is True and r.returncode == 0, "installed --selftest is healthy (exit 0)")
    moz = checks.get("manifest (thunderbird, firefox)", {})
    check(moz.get("status") == "ok" and MOZ_MANIFEST in moz.get("detail", ""),
          f"self-test finds the system manifest {MOZ_MANIFEST}")
    pol = checks.get("policy", {})
    check(pol.get("status") == "ok" and POLICY in pol.get("detail", "") and "nothing" in pol.get("detail", ""),
          f"self-test reads {POLICY}, which sets nothing: {pol.get('detail')}")
    # Thunderbird's way in: the program the manifest names, with (manifest path, extension id),
    # answers a hello frame.
    hello = json.dumps({"type": "hello", "id": 1}).encode()
    frame = len(hello).to_bytes(4, sys.byteorder) + hello
    script = ("import json,subprocess,sys\n"
              f"m=json.load(open('{MOZ_MANIFEST}'))\n"
              f"p=subprocess.run([m['path'],'{MOZ_MANIFEST}','{EXT_ID}'],input=sys.stdin.buffer.read(),"
              "capture_output=True,timeout=20)\n"
              "sys.stdout.buffer.write(p.stdout)\n")
    p = subprocess.run(["unshare", "--mount", "--propagation", "private", "sh", "-c",
                        f"mount -t overlay overlay -o lowerdir={root}/usr:/usr /usr && "
                        f"mount -t overlay overlay -o lowerdir={root}/etc:/etc /etc && "
                        f'exec /usr/bin/python3 -c "$0"', script],
                       input=frame, capture_output=True, env=env, timeout=60)
    out = p.stdout
    ok = len(out) >= 4 and int.from_bytes(out[:4], sys.byteorder) == len(out) - 4
    reply = json.loads(out[4:]) if ok else {}
    check(reply.get("type") == "hello" and reply.get("version") == args.version,
          f"the manifest's program answers hello: {reply or out[:200]!r}")


def cmd_enterprise(args, keys):
    """The enterprise examples agree with each other and use only real setting keys."""
    ent = os.path.join(args.source, "packaging", "enterprise")
    pol = json.load(open(os.path.join(ent, "policies.json"), encoding="utf-8"))["policies"]
    es = pol["ExtensionSettings"][EXT_ID]
    check(es == {"installation_mode": "force_installed", "install_url": "file://" + XPI},
          "policies.json force-installs file:///usr/share/typoguard/typoguard.xpi")
    settings = pol["3rdparty"]["Extensions"][EXT_ID]
    kinds = {"DOMAINS": list, "TLDS": list, "LEVEL": str, "BOOL": bool, "FAIL_MODE": str, "PATH": str}
    allowed = {"LEVEL": {"off", "info", "warn"}, "FAIL_MODE": {"open", "closed"}}
    for k, v in settings.items():
        kind = keys.get(k)
        check(kind is not None, f"policies.json 3rdparty key {k} is a setting key")
        if kind:
            check(isinstance(v, kinds[kind]) and (kind not in allowed or v in allowed[kind]),
                  f"policies.json {k} = {v!r} has the type of a {kind} key")
    for k in ("org_domains", "blocked_tlds", "flag_external", "allow_override", "fail_mode"):
        check(k in settings, f"policies.json sets {k} (the brief's example keys)")

    # The host accepts the settings as a request's administrator policy.
    host = os.path.join(args.build, "host", "src", "typoguard-host")
    req = json.dumps({"type": "hello", "id": 1, "policy": settings}).encode()
    p = subprocess.run([host, "--native", "--policy", "/nonexistent"], capture_output=True,
                       input=len(req).to_bytes(4, sys.byteorder) + req, timeout=30,
                       env={**os.environ, "HOME": tempfile.mkdtemp(dir=args.work),
                            "XDG_CONFIG_HOME": "", "XDG_DATA_HOME": ""})
    reply = json.loads(p.stdout[4:]) if len(p.stdout) > 4 else {}
    locked = set(reply.get("policy", {}).get("locked", []))
    check(reply.get("type") == "hello" and locked == set(settings),
          f"the host takes policies.json's settings as locked administrator policy: {reply}")

    # macOS profile: same extension settings, Thunderbird's preference domain.
    plist = plistlib.load(open(os.path.join(ent, "typoguard.mobileconfig"), "rb"))
    check(plist.get("PayloadType") == "Configuration", "mobileconfig is a configuration profile")
    inner = plist["PayloadContent"][0]
    check(inner.get("PayloadType") == "org.mozilla.thunderbird", "payload domain org.mozilla.thunderbird")
    check(inner.get("EnterprisePoliciesEnabled") is True, "EnterprisePoliciesEnabled is true")
    check(inner["ExtensionSettings"][EXT_ID]["installation_mode"] == "force_installed",
          "mobileconfig force-installs the extension")
    check(inner["3rdparty"]["Extensions"][EXT_ID] == settings, "mobileconfig settings = policies.json's")
    uuids = [plist.get("PayloadUUID"), inner.get("PayloadUUID")]
    check(all(re.fullmatch(r"[0-9A-F]{8}-([0-9A-F]{4}-){3}[0-9A-F]{12}", u or "") for u in uuids)
          and uuids[0] != uuids[1], "mobileconfig has two distinct PayloadUUIDs")

    # Windows .reg: regedit's header and CRLF; the JSON values parse and agree.
    raw = open(os.path.join(ent, "typoguard.reg"), "rb").read()
    check(raw.startswith(b"Windows Registry Editor Version 5.00\r\n"), ".reg header")
    check(b"\n" not in raw.replace(b"\r\n", b""), ".reg uses CRLF line ends")
    reg = parse_reg(raw.decode("utf-8"))
    host_key = r"HKEY_LOCAL_MACHINE\SOFTWARE\Mozilla\NativeMessagingHosts\typoguard"
    check(reg.get(host_key, {}).get("@", "").endswith("\\typoguard.json"),
          ".reg registers the native manifest under HKLM\\SOFTWARE\\Mozilla\\NativeMessagingHosts")
    tb = reg.get(r"HKEY_LOCAL_MACHINE\SOFTWARE\Policies\Mozilla\Thunderbird", {})
    ext = json.loads(tb.get("ExtensionSettings", "{}")).get(EXT_ID, {})
    check(ext.get("installation_mode") == "force_installed" and ext.get("install_url", "").endswith("/typoguard.xpi"),
          ".reg force-installs the extension")
    third = reg.get(r"HKEY_LOCAL_MACHINE\SOFTWARE\Policies\Mozilla\Thunderbird\3rdparty\Extensions", {})
    check(json.loads(third.get(EXT_ID, "null")) == settings, ".reg settings = policies.json's")

    # DEPLOY.md covers the three systems and the checks an administrator runs.
    deploy = open(os.path.join(ent, "DEPLOY.md"), encoding="utf-8").read()
    for word in ("Linux", "Windows", "macOS", "--selftest", "about:policies", "policy.conf", "3rdparty"):
        check(word in deploy, f"DEPLOY.md covers {word}")


def parse_reg(text):
    """A .reg file as {key: {value name: string}} (string values only; '@' is the default)."""
    keys, cur = {}, None
    for line in text.splitlines():
        if line.startswith("[") and line.endswith("]"):
            cur = keys.setdefault(line[1:-1], {})
        elif cur is not None and (line.startswith('"') or line.startswith("@=")):
            m = re.fullmatch(r'(@|"((?:[^"\\]|\\.)*)")="((?:[^"\\]|\\.)*)"', line)
            if not check(m is not None, f".reg value line parses: {line[:60]}"):
                continue
            name = "@" if m.group(1) == "@" else m.group(2)
            cur[name] = re.sub(r"\\(.)", r"\1", m.group(3))
    return keys


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("command", choices=["build", "deb", "milter", "rpm", "tgz", "lintian",
                                        "installed", "enterprise"])
    ap.add_argument("--build", required=True)
    ap.add_argument("--source", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--version", required=True)
    args = ap.parse_args()
    # The packages are in OUT (written only by `build`); each command works in its own folder
    # beside it, made afresh, so that the tests can run in parallel.
    args.work = os.path.join(os.path.dirname(os.path.abspath(args.out)), "work-" + args.command)
    if args.command != "build":
        shutil.rmtree(args.work, ignore_errors=True)
        os.makedirs(args.work)
    keys = setting_keys(args.source)
    status = globals()["cmd_" + args.command](args, keys)
    if status == SKIP:
        return SKIP
    if failures:
        print(f"\n{len(failures)} check(s) failed:", *failures, sep="\n  ")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
