"""Groups: answer only when addressed (mention, reply to the bot); introduce the bot once when added."""

from __future__ import annotations

import re
from html import escape

from telegram import Bot, Chat, ChatMember, ChatMemberUpdated, Message, MessageEntity, Update
from telegram.ext import ChatMemberHandler, ContextTypes, MessageHandler, filters

from bot.core import messages as msg
from bot.telegram.handlers import answering, tracing

PRESENT = {ChatMember.MEMBER, ChatMember.ADMINISTRATOR, ChatMember.OWNER}
STRIP = " \t\n,.:;-–—"


def addressed_question(message: Message, bot: Bot) -> str | None:
    """The question of a group message meant for the bot, without the mention; None when not addressed."""
    handle = f"@{bot.username}".lower()
    mentions = [text for entity, text in message.parse_entities([MessageEntity.MENTION,
                                                                   MessageEntity.TEXT_MENTION]).items()
                if (entity.type == MessageEntity.MENTION and text.lower() == handle)
                or (entity.type == MessageEntity.TEXT_MENTION and entity.user and entity.user.id == bot.id)]
    replied = message.reply_to_message
    to_bot = bool(replied and replied.from_user and replied.from_user.id == bot.id)
    if not mentions and not to_bot:
        return None
    question = message.text or ""
    for text in mentions:
        # "pak @bot, boleh ...?" -> "pak boleh ...?": the mention goes with the comma after it.
        question = re.sub(re.escape(text) + r"[,.:;!?\s-]*", " ", question)
    return " ".join(question.split()).strip(STRIP)


async def group_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A group message: answered when it mentions or replies to the bot, ignored otherwise."""
    message = update.effective_message
    sender = message.from_user
    # Other bots are ignored (no bot-to-bot loops); an anonymous admin writes as a bot
    # account on behalf of the group itself (sender_chat) and is answered.
    if sender is None or (sender.is_bot and message.sender_chat is None):
        tracing.note(context, tracing.Outcome.IGNORED)
        return
    question = addressed_question(message, context.bot)
    if question is None:
        tracing.note(context, tracing.Outcome.IGNORED)  # chatter not meant for the bot
        return
    if not question:
        tracing.note(context, tracing.Outcome.USAGE)
        await message.reply_text(msg.ASK_USAGE, reply_to_message_id=message.message_id,
                                 allow_sending_without_reply=True)
        return
    await answering.answer(update, context, question)


def _present(member: ChatMember) -> bool:
    return member.status in PRESENT or (member.status == ChatMember.RESTRICTED and getattr(member, "is_member", False))


async def membership_changed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """The bot was added to (introduce itself) or removed from (forget the introduction) a group."""
    change: ChatMemberUpdated = update.my_chat_member
    if change.chat.type not in (Chat.GROUP, Chat.SUPERGROUP):
        # A private chat (the user blocked or unblocked the bot) or a channel.
        tracing.note(context, tracing.Outcome.IGNORED)
        return
    if _present(change.new_chat_member) and not _present(change.old_chat_member):
        await introduce(update, context)
    elif not _present(change.new_chat_member):
        tracing.note(context, tracing.Outcome.REMOVED)
        context.chat_data.pop("introduced", None)
    else:
        tracing.note(context, tracing.Outcome.IGNORED)


async def members_joined(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A 'new members' service message that includes the bot."""
    if any(user.id == context.bot.id for user in update.effective_message.new_chat_members):
        await introduce(update, context)
    else:
        tracing.note(context, tracing.Outcome.IGNORED)


async def introduce(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Post the group introduction, once per stay in the group."""
    # Telegram announces one addition twice (my_chat_member and new_chat_members).
    if context.chat_data.get("introduced"):
        tracing.note(context, tracing.Outcome.IGNORED)
        return
    tracing.note(context, tracing.Outcome.INTRODUCED)
    context.chat_data["introduced"] = True
    text = msg.GROUP_INTRO.format(username=escape(context.bot.username))
    await context.bot.send_message(update.effective_chat.id, text)


GROUPS = filters.ChatType.GROUPS

HANDLERS = [
    ChatMemberHandler(membership_changed, ChatMemberHandler.MY_CHAT_MEMBER),
    MessageHandler(GROUPS & filters.StatusUpdate.NEW_CHAT_MEMBERS, members_joined),
    MessageHandler(GROUPS & filters.TEXT & ~filters.COMMAND, group_text),
]
