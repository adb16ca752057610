"""The statistics table submitted by e-mail (以电子邮件形式报送): an SMTP listener run by
the reporting worker (``listener``) when ``CAMPUS_MAIL_INTAKE`` is set (``host:port``; unset = off).

A unit mails its table to the security office's mailbox; the campus mail server relays
that mailbox to this listener. Each mail is answered with a reply mail in Chinese:
已受理 (on time), 已受理（逾期报送） (late: ``commands.submit`` raises the late flag), or
未受理 with the reason. A refused mail records nothing: no submission, no flag.

Who sent it. The envelope sender (MAIL FROM) AND the ``From`` header must both be
registered addresses of the same unit (``CampaignUnit.email``, which may list several
addresses separated by ``,`` or ``;``), compared case-insensitively. Both are easy to
forge on the open Internet, so production must not expose this port: run it behind the
campus mail server, which checks SPF/DKIM/DMARC on incoming mail, and let only that
server relay to it (bind to a private address, firewall the port). The listener
itself does no authentication.

Which due date the mail is for, in this order:
1. a due date of the unit's campaigns named in the subject (``2021-11-22``, ``2021/11/22``,
   ``2021.11.22`` or ``2021年11月22日``; other dates there, such as a period start, are
   ignored; two different due dates named → refused as ambiguous);
2. else the due whose period is the one printed in the table (``统计期间：A 至 B``, as the
   console writes it);
3. else the earliest due of the unit's campaigns not yet submitted whose period has
   started on the arrival date (campus time).
When the subject and the table name different periods, the mail is refused; so is one
for a period that has not started yet. When no due is left (every started period already
submitted, or none started), the mail is refused saying so ("已报送" with the latest
submission, or "统计期间尚未开始").

The right file: exactly one ``.xlsx`` attachment (by name or the spreadsheet media type),
at most ``CAMPUS_UPLOAD_MAX_BYTES``, that openpyxl opens, with exactly one sheet that is
《校园安全专项整治工作隐患问题统计表》 (its title cell A1, or the sheet's name) and whose
``填报单位：`` line names the sender's unit: the unit's own table as downloaded from the
console. No attachment, a .doc, a corrupt or oversized workbook, another workbook, another
unit's table, two tables → refused, naming why. Other attachments beside the one table (a
stamped PDF scan, say) are ignored. The numbers in the file are not read: what is recorded
is what the console's submit button records, the service's own statistics for the period,
frozen at the arrival time. The file itself is not kept.

When. The arrival time is the end of the SMTP DATA command on this listener; ``submit``
decides lateness from it (one home for that rule). A mail the listener could not process
(database down) is answered ``451`` and the relaying server retries later; the later
arrival counts, and a resulting late flag is for the security office to decide on.

SMTP replies: a mail bigger than twice the upload limit is refused in the SMTP
conversation (``552``, aiosmtpd's own check; the sending server bounces it). Every other
mail is accepted (``250``) and answered by a reply mail: a relaying campus server would
turn a ``550`` into an English bounce that reaches the unit much later, if at all. Any
unexpected error becomes ``451`` (retry), never a crash of the listener.

Replies are ``Notification`` rows, written in the same transaction as the submission, and
sent by the worker's ``send_mail`` task with ``CAMPUS_SMTP_*`` (retried with backoff, they
survive a restart). Backscatter: a reply goes only to the envelope sender, only if it is a
syntactically valid address (never the null sender of bounces), never to mail marked as
automatic (``Auto-Submitted`` other than ``no``, ``Precedence: bulk/junk/list``; such mail
is still processed), an unregistered sender gets at most one reply per address per
campus day, and no address gets more than ``MAX_REFUSALS_A_DAY`` refusals in 24 hours (an
auto-responder answering our replies would otherwise loop). A mail delivered twice (the
relay retrying after a lost ``250``) is recognised by its ``Message-ID`` and envelope
sender and processed once.
"""

from services.reporting.mail_intake.listener import (
    Listener,
    listen_address,
    mail_size_limit,
    start,
    start_from_settings,
)
from services.reporting.mail_intake.processing import MailIntake, Outcome
from services.reporting.mail_intake.replies import MAX_REFUSALS_A_DAY

__all__ = [
    "MAX_REFUSALS_A_DAY",
    "Listener",
    "MailIntake",
    "Outcome",
    "listen_address",
    "mail_size_limit",
    "start",
    "start_from_settings",
]
