"""Render run_all.py's records as out/REPORT.md and as one self-contained page, out/index.html.

Both show the same things in the same order: the overview table (experiment, time, checks,
status), then per experiment its title and full setting (the script's docstring), the checks
table -- quantity | source's number | ours (with its unit) | accepted range | why this range |
within -- the script's result tables (``Run.table``) and its figures. The HTML page embeds the
figures as base64 PNG, so it can be mailed or opened anywhere on its own.
"""

import base64
import html
import os
import re
from pathlib import Path

from common import format_value

CHECK_COLUMNS = ("quantity", "source's number", "ours", "accepted range", "why this range",
                 "within")


def title_and_setting(docstring):
    """Split a script's docstring into its first line (the title) and the rest (the setting)."""
    title, _, setting = docstring.strip().partition("\n")
    return title.strip(), setting.strip()


def check_cells(check):
    """A check as the text of CHECK_COLUMNS (ours carries its unit)."""
    ours = format_value(check.get("ours"))
    if check.get("unit"):
        ours = f"{ours} ({check['unit']})"
    return [check["name"], format_value(check.get("source")), ours, str(check["expected"]),
            check.get("why") or "--", "yes" if check["ok"] else "NO"]


def overview(records, context):
    """Headline numbers: experiments, time, checks passed, and which experiments failed."""
    passed = sum(record["passed"] for record in records)
    checks = sum(len(record["checks"]) for record in records)
    failing = [record["name"] for record in records if not record["ok"]]
    headline = (f"{len(records)} experiments{' (--quick)' if context['quick'] else ''}, "
                f"--seed {context['seed']}, {context['total_seconds']:.1f} s in total; "
                f"{passed} of {checks} checks within the accepted range.")
    verdict = ("All experiments ran and every check passed." if not failing else
               f"Not OK: {', '.join(failing)}.")
    rows = [[record["name"], f"{record['seconds']:.1f}",
             f"{record['passed']}/{len(record['checks'])}",
             "ok" if record["ok"] else (record["error"] or "check failed")]
            for record in records]
    return headline, verdict, rows


# ------------------------------------------------------------------ Markdown


def _md_cell(text):
    return str(text).replace("|", "\\|").replace("\n", " ")


def _md_table(columns, rows):
    lines = ["| " + " | ".join(_md_cell(c) for c in columns) + " |",
             "|" + "---|" * len(columns)]
    lines += ["| " + " | ".join(_md_cell(c) for c in row) + " |" for row in rows]
    return lines


def write_markdown(records, settings, out, context):
    """DIR/REPORT.md."""
    headline, verdict, rows = overview(records, context)
    lines = ["# minigrad experiments: report", "", headline, "", f"**{verdict}**", ""]
    lines += _md_table(("experiment", "time (s)", "checks passed", "status"),
                       [[f"[{row[0]}](#{row[0]})", *row[1:]] for row in rows])
    for record in records:
        title, setting = title_and_setting(settings[record["name"]])
        lines += ["", f"## {record['name']}", "", f"**{title}**", "",
                  setting.replace("``", "`"), "",
                  f"Run alone: `.venv/bin/python examples/{record['name']}.py"
                  f"{' --quick' if context['quick'] else ''} --seed {context['seed']}` "
                  f"({record['seconds']:.1f} s here; its printed output is in "
                  f"`logs/{Path(record['log']).name}`)."]
        if record["error"]:
            lines += ["", f"**FAILED: {_md_cell(record['error'])}**"]
        if record["checks"]:
            lines += ["", f"### Checks ({record['passed']}/{len(record['checks'])} passed)", ""]
            lines += _md_table(CHECK_COLUMNS, [check_cells(check) for check in record["checks"]])
        for table in record["tables"]:
            lines += ["", f"### {table['title']}", ""]
            lines += _md_table(table["columns"], table["rows"])
            if table.get("note"):
                lines += ["", table["note"]]
        for figure in record["figures"]:
            relative = os.path.relpath(figure, out)
            lines += ["", f"![{Path(figure).stem}]({relative})"]
    (out / "REPORT.md").write_text("\n".join(lines) + "\n")


# ------------------------------------------------------------------ HTML

CSS = """
body { font-family: system-ui, sans-serif; max-width: 1100px; margin: 2em auto; padding: 0 1em;
       line-height: 1.45; color: #222; }
table { border-collapse: collapse; margin: 0.8em 0; font-size: 0.92em; }
th, td { border: 1px solid #ccc; padding: 0.25em 0.5em; vertical-align: top; text-align: left; }
th { background: #f2f2f2; }
td.no { color: #b00; font-weight: bold; } td.yes { color: #070; }
pre { background: #f6f6f6; padding: 0.5em; overflow-x: auto; }
code { background: #f6f6f6; padding: 0 0.2em; }
img { max-width: 100%; border: 1px solid #eee; margin: 0.5em 0; }
.verdict { font-weight: bold; font-size: 1.1em; }
"""


def _inline(text):
    """Escape ``text`` for HTML and turn `code` / ``code`` spans into <code>."""
    escaped = html.escape(text)
    return re.sub(r"``?([^`]+?)``?", r"<code>\1</code>", escaped)


def setting_html(setting):
    """The docstring's blocks as HTML: indented blocks as <pre>, "* "/"- " lists as <ul>,
    the rest as paragraphs."""
    parts = []
    for block in re.split(r"\n\s*\n", setting.strip()):
        lines = block.splitlines()
        if all(line.startswith("    ") or not line.strip() for line in lines):
            parts.append(f"<pre>{html.escape(chr(10).join(line[4:] for line in lines))}</pre>")
        elif lines[0].lstrip().startswith(("* ", "- ")):
            items, current = [], []
            for line in lines:
                if line.lstrip().startswith(("* ", "- ")) and current:
                    items.append(" ".join(current))
                    current = []
                current.append(line.strip().removeprefix("* ").removeprefix("- "))
            items.append(" ".join(current))
            parts.append("<ul>" + "".join(f"<li>{_inline(item)}</li>" for item in items)
                         + "</ul>")
        else:
            parts.append(f"<p>{_inline(' '.join(line.strip() for line in lines))}</p>")
    return "\n".join(parts)


def _html_table(columns, rows, verdict_column=None):
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in columns)
    body = []
    for row in rows:
        cells = []
        for index, cell in enumerate(row):
            css = f' class="{str(cell).lower()}"' if index == verdict_column else ""
            cells.append(f"<td{css}>{_inline(str(cell))}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def embedded_image(path, alt):
    """An <img> with the PNG (or animated GIF) at ``path`` inlined as a base64 data URI."""
    data = base64.b64encode(Path(path).read_bytes()).decode("ascii")
    mime = "image/gif" if Path(path).suffix.lower() == ".gif" else "image/png"
    return (f'<figure><img src="data:{mime};base64,{data}" alt="{html.escape(alt)}">'
            f"<figcaption>{html.escape(Path(path).name)}</figcaption></figure>")


def write_html(records, settings, out, context):
    """DIR/index.html: the report as one page with its figures embedded."""
    headline, verdict, rows = overview(records, context)
    body = ["<h1>minigrad experiments: report</h1>", f"<p>{html.escape(headline)}</p>",
            f'<p class="verdict">{html.escape(verdict)}</p>',
            _html_table(("experiment", "time (s)", "checks passed", "status"), rows)]
    for record in records:
        name = record["name"]
        title, setting = title_and_setting(settings[name])
        body += [f'<section id="{name}">', f"<h2>{html.escape(name)}</h2>",
                 f"<p><strong>{_inline(title)}</strong></p>", setting_html(setting),
                 f"<p>Run alone: <code>.venv/bin/python examples/{name}.py"
                 f"{' --quick' if context['quick'] else ''} --seed {context['seed']}</code> "
                 f"({record['seconds']:.1f} s here).</p>"]
        if record["error"]:
            body.append(f'<p class="verdict">FAILED: {html.escape(record["error"])}</p>')
        if record["checks"]:
            body.append(f"<h3>Checks ({record['passed']}/{len(record['checks'])} passed)</h3>")
            body.append(_html_table(CHECK_COLUMNS,
                                    [check_cells(check) for check in record["checks"]],
                                    verdict_column=len(CHECK_COLUMNS) - 1))
        for table in record["tables"]:
            body.append(f"<h3>{html.escape(table['title'])}</h3>")
            body.append(_html_table(table["columns"], table["rows"]))
            if table.get("note"):
                body.append(f"<p>{_inline(table['note'])}</p>")
        for figure in record["figures"]:
            body.append(embedded_image(figure, Path(figure).stem))
        body.append("</section>")
    page = ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            "<title>minigrad experiments: report</title>"
            f"<style>{CSS}</style></head><body>\n" + "\n".join(body) + "\n</body></html>\n")
    (out / "index.html").write_text(page)
