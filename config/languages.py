"""The interface languages: plain data, importable by the pure cores (forms/ checks a
form's languages against it) without the settings' database-URI parsing."""

#: Interface languages, BCP 47 tags as in form definitions. Each has a catalogue in
#: app/translations/ (Babel's name: `zh_Hant`; `tl` is read as Filipino, `fil`).
SUPPORTED_UI_LANGUAGES = ("en", "ms", "zh-Hans", "zh-Hant", "tl", "ko", "ar", "id", "bn",
                          "ne", "my", "vi")
