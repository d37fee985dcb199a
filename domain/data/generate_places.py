#!/usr/bin/env python3
"""Writes places.tsv, the Belfiore-code table embedded by the `places` feature of the domain crate.

Source: the data files of python-codicefiscale 0.12.1 (MIT licence, data from ISTAT and ANPR):

    pip download --no-deps python-codicefiscale==0.12.1 -d /tmp/pcf
    unzip -o /tmp/pcf/python_codicefiscale-0.12.1-py3-none-any.whl -d /tmp/pcf/x
    python3 domain/data/generate_places.py /tmp/pcf/x/codicefiscale/data

The source has one row per administrative change (a municipality gets a new row each time its
territory changes). A codice fiscale only needs to know which name a code had on a birth date, so
consecutive rows of the same code, name and province are merged into one span. Rows without a
code ("ND") are dropped: they cannot appear in a codice fiscale.

Output: UTF-8, tab-separated, no header, sorted by code then start date, one place per line:
    code  name  province  kind(M|C)  valid_from(YYYY-MM-DD)  valid_to(YYYY-MM-DD or empty)  other_names(;-separated)
Countries have province "EE" (abroad), as in the codice fiscale registry. `other_names` holds the
official second-language name of bilingual municipalities (e.g. Bozen) and the alternative and
English names of countries (e.g. Germany), so that a search finds them.
"""

import datetime
import json
import re
import sys
from pathlib import Path

BELFIORE = re.compile(r"[A-Z][0-9]{3}")


def day(value):
    # One source row has "1934-01-01:T00:00:00": only the date part matters.
    return datetime.date.fromisoformat(value[:10]) if value else None


def spans(rows, kind):
    groups = {}
    for row in rows:
        code = row["code"].strip().upper()
        if not BELFIORE.fullmatch(code):
            continue
        key = (code, row["name"].strip(), row["province"].strip().upper())
        groups.setdefault(key, []).append(row)
    out = []
    for (code, name, province), group in groups.items():
        group.sort(key=lambda r: r["date_created"][:10])
        merged = []
        for row in group:
            start, end = day(row["date_created"]), day(row["date_deleted"])
            others = [row.get("name_alt", ""), row.get("name_alt_en", "")]
            others = [o.strip() for o in others if o and o.strip() and o.strip() != name]
            last = merged[-1] if merged else None
            # Contiguous (the next row starts the day after the previous ends) or overlapping.
            if last and last["to"] is not None and (start - last["to"]).days <= 1:
                last["to"] = end if end is None or end > last["to"] else last["to"]
                last["others"] += [o for o in others if o not in last["others"]]
            else:
                merged.append({"from": start, "to": end, "others": list(dict.fromkeys(others))})
        for span in merged:
            out.append((code, name, province, kind, span["from"], span["to"], span["others"]))
    return out


def main():
    src = Path(sys.argv[1] if len(sys.argv) > 1 else "/tmp/pcf/x/codicefiscale/data")
    load = lambda name: json.loads((src / name).read_text(encoding="utf-8"))
    places = spans(load("municipalities.json"), "M")
    # Countries that no longer exist (Czechoslovakia, the GDR, ...) live in a separate file.
    places += spans(load("deleted-countries.json") + load("countries.json"), "C")
    places.sort(key=lambda p: (p[0], p[4], p[1]))
    out = Path(__file__).with_name("places.tsv")
    with out.open("w", encoding="utf-8", newline="\n") as f:
        for code, name, province, kind, start, end, others in places:
            for field in (name, province, *others):
                assert "\t" not in field and "\n" not in field and ";" not in field, field
            f.write("\t".join([code, name, province, kind, start.isoformat(),
                               end.isoformat() if end else "", ";".join(others)]) + "\n")
    print(f"wrote {len(places)} places to {out}")


if __name__ == "__main__":
    main()
