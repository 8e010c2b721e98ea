"""The registry of recruiters, employers and other actors that cases name.

Pure cores (plain data in and out): `authorities` (the licensing authorities, from
`config/authorities.yaml`), `entities` (the record shape), `licences` (licence-number
normalisation), `licence_lists` (reading a published licensed-agency list) and
`plan` (what importing a list changes). `store` is the only code that touches the
`entities` collection.
"""
