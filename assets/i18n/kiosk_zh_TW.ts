<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_TW" sourcelanguage="zh_CN">
<context>
    <name>kiosk</name>
    <message>
        <source>请将身份证放在感应区</source>
        <translation>請將身分證放在感應區</translation>
    </message>
    <message>
        <source>感应区在屏幕下方，放上即可，无需插入</source>
        <translation>感應區在螢幕下方，放上即可，無需插入</translation>
    </message>
    <message>
        <source>正在办理的业务</source>
        <translation>正在辦理的業務</translation>
    </message>
    <message>
        <source>{n} 人等候 · 约 {m} 分钟</source>
        <translation>{n} 人等候 · 約 {m} 分鐘</translation>
    </message>
    <message>
        <source>长辈模式</source>
        <translation>長輩模式</translation>
    </message>
    <message>
        <source>标准模式</source>
        <translation>標準模式</translation>
    </message>
    <message>
        <source>无证取号</source>
        <translation>無證取號</translation>
    </message>
    <message>
        <source>请选择您要办理的业务</source>
        <translation>請選擇您要辦理的業務</translation>
    </message>
    <message>
        <source>已停止取号</source>
        <translation>已停止取號</translation>
    </message>
    <message>
        <source>今日号已取完</source>
        <translation>今日號已取完</translation>
    </message>
    <message>
        <source>正在取号，请稍候</source>
        <translation>正在取號，請稍候</translation>
    </message>
    <message>
        <source>网络不通，正在重试（第 {n} 次）</source>
        <translation>網路不通，正在重試（第 {n} 次）</translation>
    </message>
    <message>
        <source>请取走您的号票</source>
        <translation>請取走您的號票</translation>
    </message>
    <message>
        <source>正在打印号票</source>
        <translation>正在列印號票</translation>
    </message>
    <message>
        <source>前面还有 {n} 人</source>
        <translation>前面還有 {n} 人</translation>
    </message>
    <message>
        <source>预计等待 {n} 分钟</source>
        <translation>預計等待 {n} 分鐘</translation>
    </message>
    <message>
        <source>扫码查看排队进度</source>
        <translation>掃碼查看排隊進度</translation>
    </message>
    <message>
        <source>您可优先办理（长者优先）</source>
        <translation>您可優先辦理（長者優先）</translation>
    </message>
    <message>
        <source>您的预约已签到，将优先叫号</source>
        <translation>您的預約已簽到，將優先叫號</translation>
    </message>
    <message>
        <source>您已取过号，这是您的号票</source>
        <translation>您已取過號，這是您的號票</translation>
    </message>
    <message>
        <source>您的号已恢复排队</source>
        <translation>您的號已恢復排隊</translation>
    </message>
    <message>
        <source>重新打印</source>
        <translation>重新列印</translation>
    </message>
    <message>
        <source>号票未能打印，请拍下本屏幕</source>
        <translation>號票未能列印，請拍下本螢幕</translation>
    </message>
    <message>
        <source>暂停打印：请记下屏幕上的号码</source>
        <translation>暫停列印：請記下螢幕上的號碼</translation>
    </message>
    <message>
        <source>读卡器故障，请联系工作人员；无需身份证的业务仍可取号</source>
        <translation>讀卡器故障，請聯絡工作人員；無需身分證的業務仍可取號</translation>
    </message>
    <message>
        <source>您的证件已过期，请到人工窗口办理</source>
        <translation>您的證件已過期，請到人工窗口辦理</translation>
    </message>
    <message>
        <source>无法识别这张证件，请换一张证件或联系工作人员</source>
        <translation>無法識別這張證件，請換一張證件或聯絡工作人員</translation>
    </message>
    <message>
        <source>读卡中断，请将证件放稳，再放一次</source>
        <translation>讀卡中斷，請將證件放穩，再放一次</translation>
    </message>
    <message>
        <source>暂时无法连接服务器，请稍后再试或联系工作人员</source>
        <translation>暫時無法連線伺服器，請稍後再試或聯絡工作人員</translation>
    </message>
    <message>
        <source>该业务现在已停止取号</source>
        <translation>該業務現在已停止取號</translation>
    </message>
    <message>
        <source>该业务今日号已取完</source>
        <translation>該業務今日號已取完</translation>
    </message>
    <message>
        <source>今日取号已满，这是您的号票</source>
        <translation>今日取號已滿，這是您的號票</translation>
    </message>
    <message>
        <source>该业务需要身份证，请将身份证放在感应区</source>
        <translation>該業務需要身分證，請將身分證放在感應區</translation>
    </message>
    <message>
        <source>无法取号，请联系工作人员</source>
        <translation>無法取號，請聯絡工作人員</translation>
    </message>
    <message>
        <source>返回首页</source>
        <translation>返回首頁</translation>
    </message>
    <message>
        <source>还需要时间</source>
        <translation>還需要時間</translation>
    </message>
    <message>
        <source>{n} 秒后返回首页</source>
        <translation>{n} 秒後返回首頁</translation>
    </message>
    <message>
        <source>还有 {n} 秒返回首页，需要更多时间请点“还需要时间”</source>
        <translation>還有 {n} 秒返回首頁，需要更多時間請點「還需要時間」</translation>
    </message>
    <message>
        <source>您的号码是 {number}，前面还有 {n} 人，请取走您的号票</source>
        <translation>您的號碼是 {number}，前面還有 {n} 人，請取走您的號票</translation>
    </message>
    <message>
        <source>证件</source>
        <translation>證件</translation>
    </message>
    <message>
        <source>管理设置</source>
        <translation>管理設定</translation>
    </message>
    <message>
        <source>请输入管理密码</source>
        <translation>請輸入管理密碼</translation>
    </message>
    <message>
        <source>自助机令牌</source>
        <translation>自助機令牌</translation>
    </message>
    <message>
        <source>保存</source>
        <translation>儲存</translation>
    </message>
    <message>
        <source>密码错误</source>
        <translation>密碼錯誤</translation>
    </message>
    <message>
        <source>已保存</source>
        <translation>已儲存</translation>
    </message>
    <message>
        <source>↑ 向上滑动，查看更多业务</source>
        <translation>↑ 向上滑動，查看更多業務</translation>
    </message>
    <message>
        <source>读卡器暂时无法使用</source>
        <translation>讀卡器暫時無法使用</translation>
    </message>
    <message>
        <source>无需身份证的业务，请点下方「无证取号」；其他业务请找工作人员</source>
        <translation>無需身分證的業務，請點下方「無證取號」；其他業務請找工作人員</translation>
    </message>
    <message>
        <source>您预约了 {time} {category}，已签到，将优先叫号</source>
        <translation>您預約了 {time} {category}，已簽到，將優先叫號</translation>
    </message>
    <message>
        <source>手工输入证件号</source>
        <translation>手動輸入證件號</translation>
    </message>
    <message>
        <source>请输入 18 位身份证号码</source>
        <translation>請輸入 18 位身分證號碼</translation>
    </message>
    <message>
        <source>还需输入 {n} 位</source>
        <translation>還需輸入 {n} 位</translation>
    </message>
    <message>
        <source>✓ 号码校验正确，请点「确定」</source>
        <translation>✓ 號碼校驗正確，請點「確定」</translation>
    </message>
    <message>
        <source>✗ 号码有误，请核对后修改</source>
        <translation>✗ 號碼有誤，請核對後修改</translation>
    </message>
    <message>
        <source>确定</source>
        <translation>確定</translation>
    </message>
    <message>
        <source>删除</source>
        <translation>刪除</translation>
    </message>
</context>
</TS>
