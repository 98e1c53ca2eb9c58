"""`kiosk receipt`: reprint an applicant's lost receipt (tanda bukti perekaman).

A supervisor only: the actor gives their PIN and is checked by `kiosk.app.accounts.act_as`
(asked hidden, or one line of stdin with --pin-stdin; a wrong one counts towards the lockout),
as every privileged command does. The receipt is built from the stored record
(`kiosk.app.receipts.reprint`), drawn with the same layout as the GUI's, marked "Dicetak
ulang" with the time, and audited ('receipt.reprinted': actor, record, where it went) once it
was written or printed.

--output writes a PDF, only as a regular file in an existing folder (the export's rule,
kiosk.export.common.check_target; written beside it and renamed into place). Without
--with-name that PDF leaves the applicant's name out, like the copy the station keeps.
--print sends it, with the name, to the system's default printer (no dialog). Both draw
without a display: on a machine with none, Qt's offscreen platform is chosen.

Exit status as every command (kiosk.cli.common): 0 done; 1 refused (not a supervisor, wrong
PIN, locked, no such record); 2 a usage or set-up error (no --output/--print, a target that is
not a plain file, no printer); 70 unexpected.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from kiosk.cli.common import (
    SETUP_ERROR,
    TEXT,
    StationContext,
    acting_user,
    actor_options,
    domain_errors,
    station_options,
)

if TYPE_CHECKING:
    from kiosk.app.station import ReceiptView
    from kiosk.domain.messages import DomainError

# The paper when --paper is not given. No station setting names one (yet): A4, the paper
# every office printer holds.
DEFAULT_PAPER = "a4"


def _setup_error(exc: DomainError) -> SystemExit:
    """A printer that is not there is the set-up's fault, not a refusal: exit 2."""
    click.echo(exc.msg.id, err=True)
    click.echo(exc.msg.en, err=True)
    return SystemExit(SETUP_ERROR)


@click.command("receipt")
@station_options
@click.argument("query", metavar="ID_OR_REGNO", type=TEXT)
@click.option("--output", type=click.Path(path_type=Path), default=None,
              help="Write the receipt as a PDF file, in an existing folder (a regular file "
                   "there is replaced; anything else is refused).")
@click.option("--print", "to_printer", is_flag=True,
              help="Print it on the system's default printer.")
@click.option("--paper", type=click.Choice(["a4", "a5"]), default=DEFAULT_PAPER,
              show_default=True, help="Paper size.")
@click.option("--with-name", is_flag=True,
              help="Put the applicant's name in the --output PDF too (the printed paper "
                   "always has it; audited).")
@actor_options("Supervisor user name (their PIN is asked).")
@click.pass_obj
@domain_errors
def receipt(obj: StationContext, query: str, output: Path | None, to_printer: bool, paper: str,
            with_name: bool, actor: str, pin_stdin: bool) -> None:
    """Supervisor: reprint the receipt of a registration number or record id (audited)."""
    from kiosk.app import receipts
    from kiosk.export.common import check_target
    from kiosk.ui.documents import use_offscreen_without_display

    if (output is None) == (not to_printer):
        raise click.UsageError("beri --output BERKAS.pdf atau --print (salah satu) / give "
                               "--output FILE.pdf or --print (one of them)")
    if output is not None:
        check_target(output)  # before any PIN is asked: a usage error costs no attempt
    use_offscreen_without_display()
    from kiosk.ui.documents import qt_receipt_pdf as pdf

    if to_printer:
        try:
            pdf.default_printer()
        except pdf.NoPrinter as exc:
            raise _setup_error(exc) from None
    with obj.open_store() as store:
        user = acting_user(store, actor, pin_stdin, receipts.REPRINT_ACTION)
        pdf.use_language(store.settings["ui.language"])
        now = store.clock().astimezone(store.settings.timezone)

        def deliver(view: ReceiptView) -> dict[str, Any]:
            return _deliver(view, output, paper, with_name, now,
                            store.settings["receipt.status_url"])

        try:
            view = receipts.reprint(store, user, query, deliver)
        except (pdf.NoPrinter, pdf.PrintFailed) as exc:
            raise _setup_error(exc) from None
    where = output if output is not None else "printer"
    click.echo(f"Tanda bukti {view.regno} dicetak ulang / receipt reprinted -> {where}")


def _deliver(view: ReceiptView, output: Path | None, paper: str, with_name: bool,
             now: dt.datetime, status_url: str = "") -> dict[str, Any]:
    """Write or print `view`; what the audit row says about where it went."""
    from kiosk.export.common import replace_into
    from kiosk.ui.documents import qt_receipt_pdf as pdf

    if output is None:
        printer = pdf.print_to_default(view, paper=paper, with_name=True, reprinted_at=now,
                                       status_url=status_url)
        return {"printer": printer, "paper": paper, "with_name": True}
    written = replace_into(output, lambda tmp: pdf.write_pdf(
        view, tmp, paper=paper, with_name=with_name, reprinted_at=now,
        status_url=status_url))
    return {"output": str(written), "paper": paper, "with_name": with_name}
