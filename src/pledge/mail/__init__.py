"""Mail to the people who file requests: messages built from templates, sent over SMTP."""

from __future__ import annotations

from pledge.mail.messages import acknowledgement_message, code_message
from pledge.mail.sender import MailSettings, send_mail

__all__ = ["MailSettings", "acknowledgement_message", "code_message", "send_mail"]
