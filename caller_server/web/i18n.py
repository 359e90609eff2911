"""The three hall languages: Simplified Chinese (default), Traditional Chinese, English."""

from __future__ import annotations

from fastapi import Request

LANGS = ("zh-CN", "zh-TW", "en")
LANG_NAMES = {"zh-CN": "简体", "zh-TW": "繁體", "en": "English"}
COOKIE = "yihao_lang"

_TEXT: dict[str, tuple[str, str, str]] = {
    "login": ("登录", "登入", "Sign in"),
    "logout": ("退出", "登出", "Sign out"),
    "username": ("用户名", "使用者名稱", "User name"),
    "password": ("密码", "密碼", "Password"),
    "login_failed": ("用户名或密码错误", "使用者名稱或密碼錯誤", "Wrong user name or password"),
    "expired": (
        "登录已过期，请重新登录",
        "登入已過期，請重新登入",
        "Session expired, sign in again",
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
    "why": ("原因", "原因", "Why"),
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
    "please_go": ("请到", "請到", "Please go to"),
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
    "no_data": ("当日无数据", "當日無資料", "No data for this day"),
    "never_seen": ("未发现", "未發現", "not seen"),
    "paired": ("已配对", "已配對", "paired"),
    "unpaired": ("未配对", "未配對", "not paired"),
    "hall_wall": ("大厅叫号屏", "大廳叫號屏", "Hall wall"),
    "status_page_soon": ("即将轮到您，请留意叫号", "即將輪到您，請留意叫號", "Your turn is near"),
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
