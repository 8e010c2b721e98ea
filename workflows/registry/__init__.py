"""The registry of recruiters, employers and other actors that cases name.

Pure cores (plain data in and out): `authorities` (the licensing authorities, from
`config/authorities.yaml`), `entities` (the record shape), `licences` (licence-number
normalisation), `licence_lists` (reading a published licensed-agency list), `plan`
(what importing a list changes), `names` (actor names compared across spellings and
scripts) and `matching` (candidate entities for a case's actor). `store` is the only
code that touches the `entities` collection.
"""
