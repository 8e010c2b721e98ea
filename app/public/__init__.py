"""The reporter's path: choosing a form, the questionnaire, the receipt and the
status page. Everything here is open to visitors and speaks the reporter's language.

The blueprint keeps the name ``intake`` (endpoints ``intake.*``), so links and
bookmarks made before the move still resolve.
"""
