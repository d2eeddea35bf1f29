"""A generated music folder of real encoded files, as a self-hoster has: MP3, FLAC, Ogg and M4A
with tags and art, a two-disc album, a compilation, a broken file, a duplicate, nested
folders, non-ASCII names, a cover.jpg beside files without art, and a symlink out of it."""

from __future__ import annotations

import shutil
from pathlib import Path

from tests.audio import PNG_COVER, make_tone

# A tiny valid JPEG (1x1), the folder cover.
JPEG_COVER = bytes.fromhex(
    "ffd8ffe000104a46494600010100000100010000ffdb004300080606070605080707070909080a0c140d0c0b"
    "0b0c1912130f141d1a1f1e1d1a1c1c20242e2720222c231c1c2837292c30313434341f27393d38323c2e3334"
    "32ffc0000b080001000101011100ffc4001f0000010501010101010100000000000000000102030405060708"
    "090a0bffc400b5100002010303020403050504040000017d01020300041105122131410613516107227114"
    "328191a1082342b1c11552d1f02433627282090a161718191a25262728292a3435363738393a434445464748"
    "494a535455565758595a636465666768696a737475767778797a838485868788898a92939495969798999a"
    "a2a3a4a5a6a7a8a9aab2b3b4b5b6b7b8b9bac2c3c4c5c6c7c8c9cad2d3d4d5d6d7d8d9dae1e2e3e4e5e6e7"
    "e8e9eaf1f2f3f4f5f6f7f8f9faffda0008010100003f00fbd3ffd9"
)


def _mp3(path: Path, freq: float, **tags: str) -> None:
    from mutagen.id3 import APIC, ID3, TALB, TCMP, TIT2, TPE1, TPE2, TPOS, TRCK

    make_tone(path, "mp3", "libmp3lame", 44100, {}, frequency=freq)
    id3 = ID3()
    id3.add(TIT2(encoding=3, text=tags["title"]))
    id3.add(TPE1(encoding=3, text=tags["artist"]))
    id3.add(TALB(encoding=3, text=tags["album"]))
    id3.add(TRCK(encoding=3, text=tags["track"]))
    if "albumartist" in tags:
        id3.add(TPE2(encoding=3, text=tags["albumartist"]))
    if "disc" in tags:
        id3.add(TPOS(encoding=3, text=tags["disc"]))
    if tags.get("compilation"):
        id3.add(TCMP(encoding=3, text="1"))
    if tags.get("art"):
        id3.add(APIC(encoding=3, mime="image/png", type=3, desc="cover", data=PNG_COVER))
    id3.save(str(path))


def _flac(path: Path, freq: float, **tags: str) -> None:
    from mutagen.flac import FLAC

    make_tone(path, "flac", "flac", 44100, {}, frequency=freq)
    audio = FLAC(str(path))
    for name, value in tags.items():
        audio[name] = value
    audio.save()


def _ogg(path: Path, freq: float, **tags: str) -> None:
    from mutagen.oggvorbis import OggVorbis

    make_tone(path, "ogg", "vorbis", 44100, {"strict": "-2"}, frequency=freq)
    audio = OggVorbis(str(path))
    for name, value in tags.items():
        audio[name] = value
    audio.save()


def _m4a(path: Path, freq: float) -> None:
    from mutagen.mp4 import MP4, MP4Cover

    make_tone(path, "ipod", "aac", 44100, {}, frequency=freq)
    audio = MP4(str(path))
    audio["\xa9nam"], audio["\xa9ART"], audio["\xa9alb"] = "Quatre", "M4A Band", "Boxed"
    audio["aART"], audio["trkn"], audio["disk"] = "M4A Band", [(4, 9)], [(1, 1)]
    audio["covr"] = [MP4Cover(PNG_COVER, imageformat=MP4Cover.FORMAT_PNG)]
    audio.save()


def make_music_folder(root: Path, outside: Path) -> Path:
    """The folder; ``outside`` gets a file a symlink in the folder points to."""
    album = root / "Artist One" / "Double Album"
    (album / "CD1").mkdir(parents=True)
    (album / "CD2").mkdir(parents=True)
    common = {"artist": "Artist One", "album": "Double Album", "albumartist": "Artist One"}
    _mp3(
        album / "CD1" / "01 First.mp3",
        300,
        title="First",
        track="1/2",
        disc="1/2",
        art="1",
        **common,
    )
    _mp3(album / "CD1" / "02 Second.mp3", 320, title="Second", track="2/2", disc="1/2", **common)
    _flac(album / "CD2" / "01 Third.flac", 340, title="Third", tracknumber="1", discnumber="2",
          artist="Artist One", album="Double Album", albumartist="Artist One")  # fmt: skip
    various = root / "Compilations" / "Summer Hits"
    various.mkdir(parents=True)
    (various / "cover.jpg").write_bytes(JPEG_COVER)
    _ogg(various / "01 Sun.ogg", 360, title="Sun", artist="Singer A", album="Summer Hits",
         albumartist="Various Artists", tracknumber="1", compilation="1")  # fmt: skip
    _mp3(various / "02 Sea.mp3", 380, title="Sea", artist="Singer B", album="Summer Hits",
         albumartist="Various Artists", track="2", compilation="1")  # fmt: skip
    unicode_dir = root / "Björk" / "Début"
    unicode_dir.mkdir(parents=True)
    _flac(unicode_dir / "Jóga — 日本.flac", 400, title="Jóga", artist="Björk", album="Début",
          tracknumber="3")  # fmt: skip
    _m4a(root / "Boxed 04.m4a", 420)
    (root / "broken.mp3").write_bytes(b"ID3\x04\x00\x00\x00\x00\x00\x00" + b"\x00garbage" * 50)
    (root / "notes.docx").write_bytes(b"PK\x03\x04 not music")
    (root / "dupes").mkdir()
    shutil.copyfile(album / "CD1" / "02 Second.mp3", root / "dupes" / "copy of second.mp3")
    (root / "Artist One" / "folder.jpg").write_bytes(JPEG_COVER)
    outside.mkdir(parents=True, exist_ok=True)
    make_tone(outside / "secret.mp3", "mp3", "libmp3lame", 44100, {}, frequency=500)
    (root / "link-out.mp3").symlink_to(outside / "secret.mp3")
    (root / "link-out-dir").symlink_to(outside, target_is_directory=True)
    return root
