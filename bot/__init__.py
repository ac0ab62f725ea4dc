"""Tanya Netral: a Telegram bot that answers ASN questions on political neutrality."""

__version__ = "0.1.0"
