"""Smallest byte strings that carry each file type's magic number, for upload tests."""

SAMPLES = {
    "report.pdf": b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n%%EOF\n",
    "photo.png": b"\x89PNG\r\n\x1a\n" + b"\x00" * 40,
    "photo.jpg": b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 40,
    "photo.webp": b"RIFF\x00\x00\x00\x00WEBPVP8 " + b"\x00" * 40,
    "photo.heic": b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + b"\x00" * 40,
    "voice.mp3": b"ID3\x03\x00\x00\x00\x00\x00\x00" + b"\x00" * 40,
    "voice.m4a": b"\x00\x00\x00\x20ftypM4A \x00\x00\x00\x00M4A mp42isom" + b"\x00" * 40,
    "voice.ogg": b"OggS\x00\x02" + b"\x00" * 40,
    "voice.wav": b"RIFF\x24\x00\x00\x00WAVEfmt " + b"\x00" * 40,
    "video.mp4": b"\x00\x00\x00\x20ftypisom\x00\x00\x02\x00isomiso2avc1mp41" + b"\x00" * 40,
}

EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 64
PDF = SAMPLES["report.pdf"]
