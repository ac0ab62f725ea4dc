"""The Telegram layer: the Application, its handlers, the inbox and sends that survive the Bot API."""
