"""Photos as evidence: read, shrunk and stripped, fingerprinted; a photo used twice is a strong QC signal; only the
rep, their manager and QC see it."""

import io
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from core.errors import DomainError
from leads.tests.factories import owned_lead
from qc.risk import risk_signals
from visits.models import VisitPhoto
from visits.photos import read_photo
from visits.services.entry import log_visit
from visits.services.evidence import add_photo

# Photos are added until the day's entry closes: the tests run at 10:00, whatever the hour of the run.
pytestmark = pytest.mark.usefixtures("daytime")

POTENTIAL = {"mode": "in_person", "person_role": "staff", "outcome": "potential"}
SHANGHAI = ZoneInfo("Asia/Shanghai")


def storefront(colour=(200, 100, 50), size=(3000, 2000), with_exif=True) -> bytes:
    image = Image.new("RGB", size, colour)
    for x in range(0, size[0], 200):  # some structure, so the fingerprint has something to say
        image.paste((colour[2], colour[0], colour[1]), (x, 0, x + 100, size[1] // (1 + x % 3)))
    exif = Image.Exif()
    if with_exif:
        exif.get_ifd(0x8769)[36867] = "2026:11:27 10:05:00"
        gps = exif.get_ifd(0x8825)
        gps[1], gps[2], gps[3], gps[4] = "N", (30.0, 16.0, 26.76), "E", (120.0, 9.0, 18.36)
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif)
    return buffer.getvalue()


def upload(content: bytes, name="IMG_0001.jpg"):
    return SimpleUploadedFile(name, content, content_type="image/jpeg")


def test_a_photo_is_read_shrunk_stripped_and_fingerprinted():
    photo = read_photo(upload(storefront()), SHANGHAI)

    assert max(photo.width, photo.height) == 1600
    assert photo.taken_at == datetime(2026, 11, 27, 10, 5, tzinfo=SHANGHAI)
    assert (photo.latitude, photo.longitude) == (Decimal("30.274100"), Decimal("120.155100"))
    assert len(photo.fingerprint) == 16
    assert not Image.open(io.BytesIO(photo.content)).getexif()  # the stored copy tells nothing more
    again = read_photo(upload(storefront(), name="copy.jpg"), SHANGHAI)
    other = read_photo(upload(storefront(colour=(20, 180, 90))), SHANGHAI)
    assert again.fingerprint == photo.fingerprint
    assert other.fingerprint != photo.fingerprint


def test_what_is_no_photo_is_refused_plainly():
    with pytest.raises(DomainError, match="无法读取这张照片"):
        read_photo(upload(b"%PDF-1.4 not a photo"), SHANGHAI)
    big = upload(b"0" * 10)
    big.size = 16 * 1024 * 1024
    with pytest.raises(DomainError, match="照片超过 15 MB"):
        read_photo(big, SHANGHAI)


def test_the_same_photo_on_two_visits_is_a_strong_signal(team, owner, teammate):
    first = log_visit(actor=owner, lead=owned_lead(team, owner), values=POTENTIAL).visit
    second = log_visit(actor=teammate, lead=owned_lead(team, teammate), values=POTENTIAL).visit
    honest = log_visit(actor=owner, lead=owned_lead(team, owner), values=POTENTIAL).visit
    add_photo(actor=owner, visit=first, upload=upload(storefront()), kind="storefront")
    add_photo(actor=teammate, visit=second, upload=upload(storefront(), name="forwarded.jpg"), kind="storefront")
    add_photo(actor=owner, visit=honest, upload=upload(storefront(colour=(20, 180, 90))), kind="card")

    signals = risk_signals(team, first.day)

    codes = {visit.pk: {signal["code"] for signal in signals.get(visit.pk, [])} for visit in (first, second, honest)}
    assert "reused_photo" in codes[first.pk]
    assert "reused_photo" in codes[second.pk]
    assert "reused_photo" not in codes[honest.pk]


def test_photos_belong_to_the_rep_s_own_open_visit_and_stop_at_three(team, owner, teammate):
    visit = log_visit(actor=owner, lead=owned_lead(team, owner), values=POTENTIAL).visit

    with pytest.raises(DomainError, match="只有录入拜访的销售本人可以添加照片"):
        add_photo(actor=teammate, visit=visit, upload=upload(storefront()), kind="storefront")
    for shade in range(3):
        add_photo(actor=owner, visit=visit, upload=upload(storefront(colour=(shade * 60, 90, 90))), kind="room")
    with pytest.raises(DomainError, match="每条拜访最多 3 张照片"):
        add_photo(actor=owner, visit=visit, upload=upload(storefront()), kind="room")
    assert VisitPhoto.objects.count() == 3


def test_only_the_rep_their_manager_and_qc_see_a_photo(client, team, owner, teammate, manager, qc_user):
    visit = log_visit(actor=owner, lead=owned_lead(team, owner), values=POTENTIAL).visit
    picture = add_photo(actor=owner, visit=visit, upload=upload(storefront()), kind="storefront")
    url = reverse("visits:photo", args=[picture.pk])

    for user, status in ((owner, 200), (manager, 200), (qc_user, 200), (teammate, 404)):
        client.force_login(user)
        assert client.get(url).status_code == status, user


def test_a_rep_adds_a_photo_from_the_visit_page(client, team, owner):
    visit = log_visit(actor=owner, lead=owned_lead(team, owner), values=POTENTIAL).visit
    client.force_login(owner)

    response = client.post(
        reverse("visits:add_photo", args=[visit.pk]), {"photo": upload(storefront()), "kind": "card"}, follow=True
    )

    page = response.content.decode()
    assert "照片已添加" in page
    assert 'data-testid="photo"' in page
    refused = client.post(reverse("visits:add_photo", args=[visit.pk]), {"kind": "card"}, follow=True)
    assert "请选择要添加的照片" in refused.content.decode()
