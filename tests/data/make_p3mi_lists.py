"""Write tests/data/p3mi-2026-01.xlsx and p3mi-2026-03.xlsx, two editions of a
licensed-agency list laid out as Indonesia's BP2MI publishes its P3MI list (placement
companies: number, company name, licence number, address, status; Indonesian headers).

Run `python tests/data/make_p3mi_lists.py` to regenerate them. The companies are made
up ("Contoh" means "example"); the licence numbers only imitate the published shape.
The March edition differs from the January one in one thing: the licence of row 4's
company is revoked ("Dicabut"). Row 3's licence is typed as a number, as spreadsheets
often store it.
"""

from __future__ import annotations

from pathlib import Path

import openpyxl

HERE = Path(__file__).parent
HEADER = ["No", "Nama Perusahaan", "No. Izin", "Alamat", "Status"]
AGENCIES = [
    ["PT Contoh Sejahtera Abadi", "KEP.231/PPTKIS/2019", "Jl. Raya Bogor No. 12, Jakarta Timur",
     "Aktif"],
    ["PT Contoh Karya Mandiri", 20200417, "Jl. Pemuda 5, Semarang", "Aktif"],
    ["PT Contoh Duta Bangsa", "KEP.118/PPTKIS/2018", "Jl. Ahmad Yani 88, Surabaya", "Aktif"],
    ["PT Contoh Mitra Sentosa", "B.4410/P3MI/2021", "Jl. Diponegoro 3, Malang", "Skorsing"],
    ["PT Contoh Insan Prima", "B.5021/P3MI/2022", "Jl. Sudirman 41, Cirebon", "Aktif"],
]
REVOKED_IN_MARCH = "PT Contoh Duta Bangsa"


def write(name: str, rows: list[list]) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Daftar P3MI"
    sheet.append(HEADER)
    for number, row in enumerate(rows, start=1):
        sheet.append([number, *row])
    book.save(HERE / name)


def main() -> None:
    write("p3mi-2026-01.xlsx", AGENCIES)
    march = [[*row[:3], "Dicabut"] if row[0] == REVOKED_IN_MARCH else row for row in AGENCIES]
    write("p3mi-2026-03.xlsx", march)


if __name__ == "__main__":
    main()
