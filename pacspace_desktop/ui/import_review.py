"""What the review before sending an import names besides the totals per account."""

from __future__ import annotations

from html import escape

from pacspace_desktop.importing import TableValidation
from pacspace_desktop.importing.groups import lines_text
from pacspace_desktop.importing.totals import file_totals


def review_notes(validation: TableValidation) -> list[str]:
    """What the review names besides the totals: invoices whose lines were added up, rows held
    back, total rows left out and how the file's own totals compare."""
    notes = []
    combined = validation.combined()
    if combined:
        factor = validation.mapping.amount.factor
        def amount(bits: int) -> str:
            if factor == 1:
                return f"{bits:,} bits"
            whole, part = divmod(abs(bits), factor)
            sign = "−" if bits < 0 else ""
            return f"{sign}{whole:,}.{part:0{len(str(factor)) - 1}d} ({bits:,} bits)"

        names = "".join(f"<li>“{escape(c.key)}”: lines {lines_text(c.lines)} → one record "
                        f"of {amount(c.bits)}</li>" for c in combined[:8])
        more = (f"<li>… and {len(combined) - 8:,} more</li>" if len(combined) > 8 else "")
        n = len(combined)
        notes.append(f"<b>{n:,} invoice{'s' if n != 1 else ''} on several lines "
                     f"{'are' if n != 1 else 'is'} sent as one record each</b>, "
                     f"{'their' if n != 1 else 'its'} lines added up:<ul "
                     f"style='margin:0'>{names}{more}</ul>")
    totals = validation.total_rows()
    held = len(validation.error_rows()) - len(totals)
    if held > 0:
        notes.append(f"<b>{held:,} row{'s' if held != 1 else ''} held back</b> because of "
                     "problems: they are not in these totals and are not sent.")
    if totals:
        notes.append(f"{len(totals):,} total or balance row{'s' if len(totals) != 1 else ''} "
                     "of the file left out.")
    notes += [t.describe() for t in file_totals(validation)]
    return notes
