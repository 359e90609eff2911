"""The three hall languages: Simplified Chinese (default), Traditional Chinese, English."""

from __future__ import annotations

from fastapi import Request

from caller_server.zhtw import traditional

Said = tuple[str, str]
"""A message as the code writes it: Simplified Chinese and English (zh-TW is derived)."""

LANGS = ("zh-CN", "zh-TW", "en")
LANG_NAMES = {"zh-CN": "简体", "zh-TW": "繁體", "en": "English"}
COOKIE = "yihao_lang"

_TEXT: dict[str, tuple[str, str, str]] = {
    "login": ("登录", "登入", "Sign in"),
    "logout": ("退出", "登出", "Sign out"),
    "username": ("用户名", "使用者名稱", "User name"),
    "password": ("密码", "密碼", "Password"),
    "login_failed": ("用户名或密码错误", "使用者名稱或密碼錯誤", "Wrong user name or password"),
    "login_throttled": (
        "登录尝试过多，请稍后再试（失败 5 次后须等 15 分钟）",
        "登入嘗試過多，請稍後再試（失敗 5 次後須等 15 分鐘）",
        "Too many login attempts; try again shortly (15 minutes after 5 failures)",
    ),
    "login_unavailable": (
        "登录服务暂时不可用，请稍后再试；如持续出现请联系系统管理员",
        "登入服務暫時不可用，請稍後再試；如持續出現請聯絡系統管理員",
        "Sign-in is unavailable right now; try again, and tell the administrator if it persists",
    ),
    "expired_form": (
        "页面已过期，请重新输入",
        "頁面已過期，請重新輸入",
        "The form expired, please enter again",
    ),
    "counter": ("号窗口", "號窗口", "Counter"),
    "counter_n": ("{n} 号窗口", "{n} 號窗口", "Counter {n}"),
    "call_next": ("叫号", "叫號", "Call next"),
    "recall": ("重呼", "重呼", "Recall"),
    "skip": ("过号", "過號", "No-show"),
    "start": ("开始办理", "開始辦理", "Start"),
    "finish": ("办结", "辦結", "Finish"),
    "transfer": ("转移", "轉移", "Transfer"),
    "pause": ("暂停", "暫停", "Pause"),
    "resume": ("恢复", "恢復", "Resume"),
    "special": ("特呼", "特呼", "Call number"),
    "current": ("当前号票", "目前號票", "Current ticket"),
    "none": ("无", "無", "none"),
    "next_up": ("接下来", "接下來", "Next up"),
    "waited": ("已等候", "已等候", "Waited"),
    "minutes": ("分钟", "分鐘", "min"),
    "today": ("今日", "今日", "Today"),
    "called_today": ("今日已叫号", "今日已叫號", "Called today"),
    "waiting_here": ("本窗口可叫", "本窗口可叫", "Waiting for this counter"),
    "status_open": ("服务中", "服務中", "Open"),
    "status_paused": ("暂停服务", "暫停服務", "Paused"),
    "status_closed": ("已关闭", "已關閉", "Closed"),
    "outcome": ("办结结果", "辦結結果", "Outcome"),
    "matter": ("事项（可选）", "事項（可選）", "Matter (optional)"),
    "matter_h": ("事项", "事項", "Matter"),
    "once": ("一次办妥", "一次辦妥", "done in one visit"),
    "cancel": ("取消", "取消", "Cancel"),
    "pause_reason": ("暂停原因", "暫停原因", "Reason for the pause"),
    "number_to_call": ("要呼叫的号码", "要呼叫的號碼", "Number to call"),
    "to_category": ("转到业务", "轉到業務", "To category"),
    "to_counter": ("指定窗口（可选）", "指定窗口（可選）", "To counter (optional)"),
    "ok": ("确定", "確定", "OK"),
    "live": ("实时", "即時", "Live"),
    "offline": ("连接中断，正在重连…", "連線中斷，正在重連…", "Connection lost, reconnecting…"),
    "masked_name": ("姓名", "姓名", "Name"),
    "priority": ("优先", "優先", "Priority"),
    "prio_elderly": ("绿色通道：长者优先", "綠色通道：長者優先", "Priority: elderly"),
    "prio_staff": ("绿色通道：工作人员标记", "綠色通道：工作人員標記", "Priority: marked by staff"),
    "prio_appointment": ("预约签到", "預約簽到", "Appointment"),
    "wall_title": ("叫号信息", "叫號資訊", "Now calling"),
    "last_calls": ("最近叫号", "最近叫號", "Last calls"),
    "waiting": ("等候人数", "等候人數", "Waiting"),
    "manager": ("大厅管理", "大廳管理", "Hall management"),
    "queue": ("排队情况", "排隊情況", "Queue"),
    "longest": ("最长等候", "最長等候", "Longest wait"),
    "counters": ("窗口", "窗口", "Counters"),
    "served_today": ("今日办结", "今日辦結", "Served today"),
    "idle_min": ("空闲分钟", "空閒分鐘", "Idle min"),
    "paused_min": ("暂停分钟", "暫停分鐘", "Paused min"),
    "devices": ("设备状态", "設備狀態", "Devices"),
    "alerts": ("异常提醒", "異常提醒", "Alerts"),
    "ack": ("确认", "確認", "Acknowledge"),
    "acked_by": ("已确认", "已確認", "Acknowledged by"),
    "no_alerts": ("暂无异常", "暫無異常", "No alerts"),
    "figures": ("统计报表", "統計報表", "Figures"),
    "day": ("日期", "日期", "Day"),
    "show": ("查看", "查看", "Show"),
    "print": ("打印", "列印", "Print"),
    "arrivals_served": ("每小时取号与办结", "每小時取號與辦結", "Arrivals and served per hour"),
    "arrivals": ("取号", "取號", "Arrivals"),
    "served": ("办结", "辦結", "Served"),
    "wait_dist": ("等候时间分布", "等候時間分佈", "Wait time distribution"),
    "service_time": ("平均办理时长（分钟）", "平均辦理時長（分鐘）", "Mean service time (min)"),
    "no_show_rate": ("过号率", "過號率", "No-show rate"),
    "satisfaction": ("满意率", "滿意率", "Satisfaction"),
    "bad_reviews": ("差评", "差評", "Bad reviews"),
    "once_rate": ("一次办妥率", "一次辦妥率", "Done in one visit"),
    "per_clerk": ("人员绩效", "人員績效", "Per clerk"),
    "clerk": ("工作人员", "工作人員", "Clerk"),
    "mean_service": ("平均办理（分钟）", "平均辦理（分鐘）", "Mean service (min)"),
    "category": ("业务", "業務", "Category"),
    "csv": ("下载 CSV", "下載 CSV", "Download CSV"),
    "ratings_export": ("好差评导出", "好差評匯出", "Ratings export"),
    "never_seen": ("未发现", "未發現", "not seen"),
    "paired": ("已配对", "已配對", "paired"),
    "unpaired": ("未配对", "未配對", "not paired"),
    "hall_wall": ("大厅叫号屏", "大廳叫號屏", "Hall wall"),
    "status_page_soon": ("即将轮到您，请留意叫号", "即將輪到您，請留意叫號", "Your turn is near"),
    "admin": ("系统管理", "系統管理", "Administration"),
    "users": ("用户", "使用者", "Users"),
    "role": ("角色", "角色", "Role"),
    "enable": ("启用", "啟用", "Enable"),
    "disable": ("停用", "停用", "Disable"),
    "reset": ("重置", "重設", "Reset"),
    "add": ("添加", "新增", "Add"),
    "tokens": ("访问令牌", "存取權杖", "Tokens"),
    "label": ("说明", "說明", "Label"),
    "revoke": ("吊销", "撤銷", "Revoke"),
    "revoked": ("已吊销", "已撤銷", "revoked"),
    "save": ("保存", "儲存", "Save"),
    "counter_help": (
        "按顺序叫号填「A, B」；按权重填「A:2, B:1」",
        "按順序叫號填「A, B」；按權重填「A:2, B:1」",
        "Strict order: “A, B”; by weight: “A:2, B:1”",
    ),
    "hours_caps": ("办理时间与每日上限", "辦理時間與每日上限", "Opening hours and daily caps"),
    "pair": ("配对", "配對", "Pair"),
    "desk": ("工单与通知", "工單與通知", "Cases and notices"),
    "cases": ("差评工单", "差評工單", "Bad-review cases"),
    "number": ("号码", "號碼", "Number"),
    "rating": ("评价", "評價", "Rating"),
    "rated_at": ("评价时间", "評價時間", "Rated at"),
    "follow_up": ("回访", "回訪", "Follow-up call"),
    "fix": ("整改", "整改", "Fix"),
    "close_case": ("办结工单", "辦結工單", "Close case"),
    "closed": ("已办结", "已辦結", "Closed"),
    "overdue": ("已超期", "已逾期", "overdue"),
    "notice": ("叫号屏滚动通知", "叫號屏滾動通知", "Wall notice ticker"),
    "notice_help": ("留空则不显示", "留空則不顯示", "Empty hides it"),
    "appointments": ("预约", "預約", "Appointments"),
    "time": ("时间", "時間", "Time"),
    "status": ("状态", "狀態", "Status"),
    "reference": ("预约编号", "預約編號", "Reference"),
    "book": ("新增预约", "新增預約", "Book"),
    "id_number": ("身份证号", "身分證號", "ID number"),
    "import_csv": ("导入 CSV", "匯入 CSV", "Import CSV"),
    "t_title": ("号票查询", "號票查詢", "Ticket status"),
    "t_waiting": (
        "前面还有 {ahead} 人，预计等待 {eta} 分钟",
        "前面還有 {ahead} 人，預計等待 {eta} 分鐘",
        "{ahead} ahead of you, about {eta} min",
    ),
    "t_called": (
        "请到 {counter} 号窗口办理",
        "請到 {counter} 號窗口辦理",
        "Please go to counter {counter}",
    ),
    "t_serving": (
        "正在 {counter} 号窗口办理",
        "正在 {counter} 號窗口辦理",
        "Being served at counter {counter}",
    ),
    "t_no_show": (
        "已过号。{window} 分钟内在取号机再次刷证可恢复排队",
        "已過號。{window} 分鐘內在取號機再次刷證可恢復排隊",
        "Missed. Tap your ID card at the kiosk within {window} min to rejoin the queue",
    ),
    "t_done": ("已办结，感谢您的耐心", "已辦結，感謝您的耐心", "Done. Thank you for your patience"),
    "t_cancelled": ("已取消", "已取消", "Cancelled"),
    "t_rate": ("请评价本次服务：", "請評價本次服務：", "Please rate this service:"),
    "t_rated": (
        "您的评价：{label}。谢谢！",
        "您的評價：{label}。謝謝！",
        "Your rating: {label}. Thank you!",
    ),
    "t_notify": ("开启叫号提醒", "開啟叫號提醒", "Notify me when called"),
    "t_check_qr": (
        "请核对号票上的二维码，或咨询大厅工作人员。",
        "請核對號票上的二維碼，或諮詢大廳工作人員。",
        "Check the QR code on your ticket, or ask the hall staff.",
    ),
    "role_clerk": ("窗口人员", "窗口人員", "clerk"),
    "role_manager": ("大厅管理", "大廳管理", "manager"),
    "role_admin": ("系统管理员", "系統管理員", "administrator"),
    "role_kiosk": ("自助取号机", "自助取號機", "kiosk"),
    "role_counter": ("窗口屏", "窗口屏", "counter screen"),
    "role_wall": ("大厅叫号屏", "大廳叫號屏", "hall wall"),
    "role_voice": ("语音播报", "語音播報", "announcer"),
    "dev_online": ("在线", "線上", "online"),
    "dev_offline": ("离线", "離線", "offline"),
    "dev_suspect": ("可疑", "可疑", "suspect"),
    "dev_unpaired": ("未配对", "未配對", "not paired"),
    "appt_booked": ("已预约", "已預約", "booked"),
    "appt_checked_in": ("已签到", "已簽到", "checked in"),
    "appt_cancelled": ("已取消", "已取消", "cancelled"),
    "kiosks": ("自助取号机", "自助取號機", "Kiosks"),
    "reader": ("读卡器", "讀卡器", "Card reader"),
    "printer": ("打印机", "印表機", "Printer"),
    "last_report": ("最后报告", "最後報告", "Last report"),
    "reader_ok": ("正常", "正常", "ok"),
    "reader_fault": ("故障", "故障", "fault"),
    "reader_none": ("未连接", "未連接", "none"),
    "prn_ok": ("正常", "正常", "ok"),
    "prn_paper_near_end": ("纸将用完", "紙將用完", "paper near end"),
    "prn_paper_out": ("缺纸", "缺紙", "out of paper"),
    "prn_cover_open": ("纸仓盖未关", "紙倉蓋未關", "cover open"),
    "prn_offline": ("离线", "離線", "offline"),
    "prn_unknown": ("未知（无状态回报）", "未知（無狀態回報）", "unknown (no status)"),
    "prn_paused": ("暂停出票", "暫停出票", "printing paused"),
    "no_js": ("本页每 15 秒自动刷新", "本頁每 15 秒自動刷新", "This page reloads every 15 s"),
}


def lang_of(request: Request) -> str:
    wanted = request.query_params.get("lang") or request.cookies.get(COOKIE) or LANGS[0]
    return wanted if wanted in LANGS else LANGS[0]


def text(lang: str, key: str) -> str:
    entry = _TEXT[key]
    return entry[LANGS.index(lang)] if lang in LANGS else entry[0]


def pick(lang: str, triple: tuple[str, str, str]) -> str:
    """One of a (zh-CN, zh-TW, en) triple."""
    return triple[LANGS.index(lang)] if lang in LANGS else triple[0]


def say(lang: str, zh: str, en: str) -> str:
    """A message written in Simplified Chinese and English (errors, the policy's reasons,
    alerts, the pages' notes) in ``lang``; its zh-TW by :func:`caller_server.zhtw.traditional`."""
    if lang == "en":
        return en
    return traditional(zh) if lang == "zh-TW" else zh
