"""Write tests/data/th-xlsform.xlsx, an XLSForm for Thailand in English and Thai.

Run `python tests/data/make_th_xlsform.py` to regenerate it. The terms and their MWC
articles follow the domain reference (§4, Thailand: MOU workers, pink card,
Section 64 border pass, the 2017 Royal Ordinance's ban on employers keeping
documents, Immigration Detention Centres). It is test data, not a form to publish:
the Thai wording is a draft that a native speaker must review, and the legal facts
behind it must be checked against current official sources (docs/forms.md).
It also holds rows the importer skips with a warning (metadata, a note, a constraint).
"""

from __future__ import annotations

from pathlib import Path

import openpyxl

OUT = Path(__file__).with_name("th-xlsform.xlsx")
EN, TH = "label::English (en)", "label::Thai (th)"
HINT_EN, HINT_TH = "hint::English (en)", "hint::Thai (th)"

SURVEY = [
    ["type", "name", EN, TH, HINT_EN, HINT_TH, "required", "relevant", "constraint", "mwc"],
    ["start", "start"],
    ["end", "end"],
    ["begin group", "th_papers", "Your papers and work in Thailand",
     "เอกสารและการทำงานของคุณในประเทศไทย"],
    ["note", "th_intro", "These questions are about the rules for migrant workers in Thailand.",
     "คำถามเหล่านี้เกี่ยวกับกฎสำหรับแรงงานข้ามชาติในประเทศไทย"],
    ["select_one th_route", "th_route", "How did the person come to work in Thailand?",
     "บุคคลนั้นเข้ามาทำงานในประเทศไทยอย่างไร", "", "", "yes"],
    ["select_multiple th_problem", "th_problems", "Did any of these happen?",
     "มีเหตุการณ์เหล่านี้เกิดขึ้นหรือไม่", "Choose all that apply.", "เลือกทุกข้อที่ตรง"],
    ["integer", "th_fee_months", "For how many months were fees taken from the wages?",
     "มีการหักค่าธรรมเนียมจากค่าจ้างกี่เดือน", "", "", "",
     "selected(${th_problems}, 'fees')", ". >= 0 and . <= 120"],
    ["date", "th_detained_on", "When was the person taken to the detention centre?",
     "บุคคลนั้นถูกนำตัวไปที่ศูนย์กักตัวเมื่อใด", "", "", "",
     "selected(${th_problems}, 'idc')"],
    ["text", "th_agency_name", "Name of the recruitment agency", "ชื่อบริษัทจัดหางาน",
     "", "", "", "${th_route} = 'mou' or ${th_route} = 'border_pass'"],
    ["image", "th_document_photo", "A photo of a pay slip or contract, if it is safe",
     "รูปถ่ายสลิปเงินเดือนหรือสัญญาจ้าง หากปลอดภัย"],
    ["end group"],
    ["begin group", "work"],
    ["select_one th_yes_no", "th_fishing", "Does the person work on a fishing vessel?",
     "บุคคลนั้นทำงานบนเรือประมงหรือไม่", "", "", "no"],
    ["end group"],
]

CHOICES = [
    ["list_name", "name", EN, TH, "mwc"],
    ["th_route", "mou", "Under an MOU, through a licensed agency",
     "ตามบันทึกความเข้าใจ (MOU) ผ่านบริษัทจัดหางานที่ได้รับอนุญาต"],
    ["th_route", "pink_card", "Registered with a pink card (non-Thai ID card)",
     "ขึ้นทะเบียนและมีบัตรชมพู (บัตรประจำตัวคนซึ่งไม่มีสัญชาติไทย)"],
    ["th_route", "border_pass", "With a Section 64 border pass", "ด้วยบัตรผ่านแดนตามมาตรา 64"],
    ["th_route", "no_papers", "Without papers", "ไม่มีเอกสาร"],
    ["th_problem", "documents_kept",
     "The employer or agency keeps the passport, pink card or work permit",
     "นายจ้างหรือบริษัทจัดหางานยึดหนังสือเดินทาง บัตรชมพู หรือใบอนุญาตทำงาน", "21"],
    ["th_problem", "fees", "Recruitment fees were paid or taken from the wages",
     "ต้องจ่ายค่าหัวคิวหรือถูกหักค่าธรรมเนียมจากค่าจ้าง", "66"],
    ["th_problem", "idc", "Held in an Immigration Detention Centre (IDC)",
     "ถูกกักตัวในศูนย์กักตัวคนต่างด้าว (IDC)", "16 17 22"],
    ["th_problem", "area", "Stopped from leaving the area where the person is registered",
     "ถูกห้ามออกนอกพื้นที่ที่ขึ้นทะเบียนไว้", "39"],
    ["th_problem", "none", "None of these", "ไม่มีข้อใดเลย"],
    ["th_yes_no", "yes", "Yes", "ใช่"],
    ["th_yes_no", "no", "No", "ไม่ใช่"],
]

SETTINGS = [
    ["form_id", "form_title::English (en)", "form_title::Thai (th)", "default_language",
     "country", "version"],
    ["th-intake", "Report a violation of migrant workers' rights in Thailand",
     "แจ้งการละเมิดสิทธิแรงงานข้ามชาติในประเทศไทย", "English (en)", "TH", "2026120501"],
]


def build() -> openpyxl.Workbook:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, rows in (("survey", SURVEY), ("choices", CHOICES), ("settings", SETTINGS)):
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
    return book


if __name__ == "__main__":
    build().save(OUT)
    print(f"wrote {OUT}")
