#!/usr/bin/env python3
"""Fills a running hailong-collector with a province's worth of plausible votes through its real
protocol: each kiosk posts its health report (officers with Vietnamese names, reason labels) and
then its votes in batches, exactly as hailong-kiosk would. Deterministic for a given --seed, so
the dashboard's tests and screenshots see the same figures every run.

    seed_collector.py --url http://127.0.0.1:PORT --kiosk ID:TOKEN:UNIT [--kiosk ...]
                      [--votes N] [--days D] [--end YYYY-MM-DD] [--seed S] [--hostile]
                      [--feedback N]

--old-kiosk leaves the reasons' labels out of the health reports. --hostile gives one officer of
the first kiosk's unit a name and a title full of HTML (the escaping test), and (with --feedback)
its first feedback item a text full of HTML.
--feedback N: then N feedback items per kiosk (issue 12), in batches of their own ("votes": []):
the kinds in turn (góp ý, phản ánh – kiến nghị, đề nghị biểu dương), every even one (0, 2, ...)
with consent and a contact whose phone is 0913KKIIII (KK the kiosk's index, IIII the item's), the
first one following the kiosk's last vote; a separate random stream, so the votes stay the same.
Prints one line per kiosk: "ID votes=N feedback=M".
"""
import argparse
import datetime
import gzip
import json
import random
import sys
import urllib.request
import uuid
import zlib

FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi",
          "Đỗ", "Hồ", "Ngô", "Dương", "Lý"]
MIDDLE = ["Văn", "Thị", "Đức", "Minh", "Thanh", "Ngọc", "Quốc", "Thu", "Hữu", "Kim"]
GIVEN = ["Hùng", "Lan", "Hoa", "Dũng", "Tuấn", "Hương", "Phượng", "Quỳnh", "Sơn", "Thủy",
         "Nghĩa", "Yến", "Cường", "Trâm", "Khoa", "Vy", "Lộc", "Nhung"]
TITLES = ["Công chức Tư pháp - Hộ tịch", "Công chức Văn phòng - Thống kê",
          "Công chức Địa chính - Xây dựng", "Công chức Văn hóa - Xã hội", "Phó Chủ tịch UBND"]
REASONS = [("cham-tre", "Chậm trễ"), ("thai-do", "Thái độ chưa đúng mực"),
           ("huong-dan", "Hướng dẫn chưa rõ ràng"), ("giay-to", "Yêu cầu thêm giấy tờ")]
VN = datetime.timezone(datetime.timedelta(hours=7))


def post(url, token, body, extra=None):
    data = gzip.compress(json.dumps(body, ensure_ascii=False).encode())
    req = urllib.request.Request(url, data=data, method="POST")
    req.add_header("Authorization", "Bearer " + token)
    req.add_header("Content-Type", "application/json")
    req.add_header("Content-Encoding", "gzip")
    for k, v in (extra or {}).items():
        req.add_header(k, v)
    with urllib.request.urlopen(req, timeout=60) as r:
        return r.status, json.loads(r.read() or b"{}")


def officers_for(rng, n, hostile):
    out = []
    for i in range(n):
        name = f"{rng.choice(FAMILY)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}"
        title = rng.choice(TITLES)
        if hostile and i == 0:
            name = "<script>alert('x')</script> & \"Hùng\""
            title = "<b>Trưởng</b> <img src=x onerror=alert(1)>"
        out.append({"code": f"cb-{i + 1:02d}", "name": name, "title": title,
                    "counter": f"Quầy {i % 4 + 1}"})
    return out


FB_KINDS = ["gop-y", "phan-anh", "bieu-duong"]
FB_TEXTS = {
    "gop-y": ["Nên có thêm ghế chờ và nước uống cho người già.",
              "Đề nghị niêm yết rõ lệ phí từng thủ tục ở bảng tin trước cửa.",
              "Bãi giữ xe chật, buổi sáng thứ Hai rất đông, mong xã bố trí thêm chỗ."],
    "phan-anh": ["Tôi nộp hồ sơ chứng thực từ thứ Ba nhưng đến nay vẫn chưa nhận được kết quả, "
                 "cán bộ hẹn nhiều lần mà không rõ lý do chậm.",
                 "Máy lấy số thứ tự bị hỏng cả buổi sáng, người dân phải chen nhau.",
                 "Được yêu cầu nộp thêm bản sao giấy khai sinh dù đã có trên hệ thống."],
    "bieu-duong": ["Cán bộ hướng dẫn tận tình, giải thích rõ ràng từng bước, rất đáng khen.",
                   "Chị cán bộ ở quầy làm việc nhanh, vui vẻ, tôi xong thủ tục trong 15 phút.",
                   "Cảm ơn anh cán bộ đã giúp mẹ tôi điền tờ khai khi mẹ không nhìn rõ chữ."],
}


def feedback_items(a, ki, kid, unit, offs, votes, end, now_ms, hostile):
    rng = random.Random(a.seed * 65537 + ki)
    boot = str(uuid.UUID(int=rng.getrandbits(128)))
    out = []
    for i in range(a.feedback):
        kind = FB_KINDS[i % 3]
        t = datetime.datetime(end.year, end.month, end.day, rng.choice([8, 9, 10, 14, 15]),
                              rng.randrange(60), tzinfo=VN) - datetime.timedelta(
                                  days=rng.randrange(min(a.days, 20)) if i else 0)
        created = min(int(t.timestamp() * 1000), now_ms - 120000 - i * 1000)
        item = {"uuid": str(uuid.UUID(int=rng.getrandbits(128))), "seq": i + 1, "boot_id": boot,
                "kind": kind, "text": rng.choice(FB_TEXTS[kind]), "consent": i % 2 == 0,
                "created_at": created}
        if kind == "bieu-duong" or i % 2 == 0:
            item["officer"] = offs[rng.randrange(len(offs))]["code"]
        if i == 0 and votes:
            # It follows the kiosk's latest vote, a minute later.
            last = max(votes, key=lambda v: v["created_at"])
            item["vote"] = last["uuid"]
            item["created_at"] = min(last["created_at"] + 60000, now_ms - 1000)
        if hostile and i == 0:
            item["text"] = ("<script>alert('hộp thư')</script> & \"Lan\" <b>đậm</b>\n"
                            "Dòng thứ hai của ý kiến.")
        if i % 2 == 0:
            item["contact"] = {"name": f"{rng.choice(FAMILY)} {rng.choice(MIDDLE)} "
                                       f"{rng.choice(GIVEN)}",
                               "phone": "0913%02d%04d" % (ki, i),
                               "address": f"Thôn {rng.randrange(1, 12)}, {unit}"}
        out.append(item)
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--url", required=True)
    ap.add_argument("--kiosk", action="append", required=True, help="ID:TOKEN:UNIT")
    ap.add_argument("--votes", type=int, default=400, help="votes per kiosk")
    ap.add_argument("--days", type=int, default=60)
    ap.add_argument("--end", default=None, help="the last day (Vietnam), default today")
    ap.add_argument("--officers", type=int, default=6)
    ap.add_argument("--unhappy", type=int, default=0,
                    help="every Nth vote 'chưa hài lòng' with reasons, whatever the draw (a few "
                         "votes then always hold some, on any day the test runs)")
    ap.add_argument("--desk", type=int, default=0,
                    help="every Nth vote for the desk as a whole (officer '_desk', the kiosk's "
                         "'Không nhớ tên cán bộ')")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--hostile", action="store_true")
    ap.add_argument("--feedback", type=int, default=0, help="feedback items per kiosk")
    ap.add_argument("--old-kiosk", action="store_true",
                    help="health reports without reason labels, as kiosks before 0.3 send them")
    a = ap.parse_args()
    end = (datetime.date.fromisoformat(a.end) if a.end
           else datetime.datetime.now(VN).date())
    first_unit = a.kiosk[0].split(":", 2)[2]
    for ki, spec in enumerate(a.kiosk):
        kid, token, unit = spec.split(":", 2)
        rng = random.Random(a.seed * 1000 + ki)
        # A commune's kiosks share its officers: the same list for the same unit.
        offs = officers_for(random.Random(a.seed * 7919 + zlib.crc32(unit.encode())), a.officers,
                            a.hostile and unit == first_unit)
        now_ms = int(datetime.datetime.now(datetime.timezone.utc).timestamp() * 1000)
        health = {"v": 1, "kiosk_id": kid, "sent_at": now_ms, "version": "0.3.0",
                  "content_version": "%016x" % rng.getrandbits(64), "clock_suspect": False,
                  "unsent": 0, "officers": offs}
        if not a.old_kiosk:
            health["reasons"] = [{"code": c, "label": l} for c, l in REASONS]
        status, _ = post(f"{a.url}/v1/kiosks/{kid}/status", token, health)
        if status != 200:
            sys.exit(f"{kid}: health report: HTTP {status}")
        # Each officer has a level of service of their own; some have few votes.
        skill = [rng.uniform(0.55, 0.97) for _ in offs]
        weight = [rng.choice([1, 1, 2, 4, 6]) for _ in offs]
        boot = str(uuid.UUID(int=rng.getrandbits(128)))
        votes = []
        for seq in range(1, a.votes + 1):
            day = end - datetime.timedelta(days=rng.randrange(a.days))
            # Office hours, Monday to Saturday morning mostly.
            while day.weekday() == 6 and rng.random() < 0.9:
                day = end - datetime.timedelta(days=rng.randrange(a.days))
            hour = rng.choice([7, 8, 8, 9, 9, 9, 10, 10, 10, 11, 13, 14, 14, 15, 15, 16])
            t = datetime.datetime(day.year, day.month, day.day, hour, rng.randrange(60),
                                  rng.randrange(60), tzinfo=VN)
            # Never after the kiosk's own clock (it would be a wrong clock, rightly flagged).
            if int(t.timestamp() * 1000) > now_ms - 60000:
                t -= datetime.timedelta(days=1)
            o = rng.choices(range(len(offs)), weight)[0]
            r = rng.random()
            rating = 3 if r < skill[o] * 0.7 else 2 if r < skill[o] else 1
            reasons = sorted(rng.sample([c for c, _ in REASONS], rng.choice([1, 1, 2])))
            if a.unhappy and seq % a.unhappy == 0:
                rating = 1
            votes.append({"uuid": str(uuid.UUID(int=rng.getrandbits(128))), "seq": seq,
                          "boot_id": boot,
                          "officer": "_desk" if a.desk and seq % a.desk == 0 else offs[o]["code"],
                          "rating": rating,
                          "reasons": reasons if rating == 1 else [],
                          "created_at": int(t.timestamp() * 1000), "misuse": False})
        for i in range(0, len(votes), 500):
            chunk = votes[i:i + 500]
            bid = str(uuid.UUID(int=rng.getrandbits(128)))
            body = {"v": 1, "kiosk_id": kid, "batch_id": bid, "frozen_at": now_ms,
                    "votes": chunk}
            status, ans = post(f"{a.url}/v1/kiosks/{kid}/vote-batches", token, body,
                               {"Idempotency-Key": bid, "X-Hailong-Sent-At": str(now_ms)})
            if status != 200:
                sys.exit(f"{kid}: batch: HTTP {status} {ans}")
        items = feedback_items(a, ki, kid, unit, offs, votes, end, now_ms,
                               a.hostile and ki == 0)
        for i in range(0, len(items), 20):
            bid = str(uuid.UUID(int=random.Random(a.seed * 104729 + ki * 1000 + i).getrandbits(128)))
            body = {"v": 1, "kiosk_id": kid, "batch_id": bid, "frozen_at": now_ms, "votes": [],
                    "feedback": items[i:i + 20]}
            status, ans = post(f"{a.url}/v1/kiosks/{kid}/vote-batches", token, body,
                               {"Idempotency-Key": bid, "X-Hailong-Sent-At": str(now_ms)})
            bad = [r for r in ans.get("results", []) if r.get("status") == "rejected"]
            if status != 200 or bad:
                sys.exit(f"{kid}: feedback batch: HTTP {status} {ans}")
        print(f"{kid} votes={len(votes)} feedback={len(items)}")


if __name__ == "__main__":
    main()
