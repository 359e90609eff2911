<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en" sourcelanguage="zh_CN">
<context>
    <name>kiosk</name>
    <message>
        <source>请将身份证放在感应区</source>
        <translation>Place your ID card on the reader</translation>
    </message>
    <message>
        <source>感应区在屏幕下方，放上即可，无需插入</source>
        <translation>The reader is below the screen: just lay the card on it</translation>
    </message>
    <message>
        <source>正在办理的业务</source>
        <translation>Services open now</translation>
    </message>
    <message>
        <source>{n} 人等候 · 约 {m} 分钟</source>
        <translation>{n} waiting · about {m} min</translation>
    </message>
    <message>
        <source>长辈模式</source>
        <translation>Senior mode</translation>
    </message>
    <message>
        <source>标准模式</source>
        <translation>Standard</translation>
    </message>
    <message>
        <source>无证取号</source>
        <translation>No ID card</translation>
    </message>
    <message>
        <source>请选择您要办理的业务</source>
        <translation>Please choose your service</translation>
    </message>
    <message>
        <source>已停止取号</source>
        <translation>Closed now</translation>
    </message>
    <message>
        <source>今日号已取完</source>
        <translation>No tickets left today</translation>
    </message>
    <message>
        <source>正在取号，请稍候</source>
        <translation>Getting your number, please wait</translation>
    </message>
    <message>
        <source>网络不通，正在重试（第 {n} 次）</source>
        <translation>No connection, trying again ({n})</translation>
    </message>
    <message>
        <source>请取走您的号票</source>
        <translation>Please take your ticket</translation>
    </message>
    <message>
        <source>正在打印号票</source>
        <translation>Printing your ticket</translation>
    </message>
    <message>
        <source>前面还有 {n} 人</source>
        <translation>{n} people ahead</translation>
    </message>
    <message>
        <source>预计等待 {n} 分钟</source>
        <translation>About {n} minutes</translation>
    </message>
    <message>
        <source>扫码查看排队进度</source>
        <translation>Scan to follow the queue</translation>
    </message>
    <message>
        <source>您可优先办理（长者优先）</source>
        <translation>You will be served first (senior priority)</translation>
    </message>
    <message>
        <source>您的预约已签到，将优先叫号</source>
        <translation>Your appointment is checked in and will be called first</translation>
    </message>
    <message>
        <source>您已取过号，这是您的号票</source>
        <translation>You already have this ticket</translation>
    </message>
    <message>
        <source>您的号已恢复排队</source>
        <translation>Your number is back in the queue</translation>
    </message>
    <message>
        <source>重新打印</source>
        <translation>Print again</translation>
    </message>
    <message>
        <source>号票未能打印，请拍下本屏幕</source>
        <translation>Not printed: please photograph this screen</translation>
    </message>
    <message>
        <source>暂停打印：请记下屏幕上的号码</source>
        <translation>Printing paused: please note the number on screen</translation>
    </message>
    <message>
        <source>读卡器故障，请联系工作人员；无需身份证的业务仍可取号</source>
        <translation>Card reader fault, please ask staff; services without ID still work</translation>
    </message>
    <message>
        <source>您的证件已过期，请到人工窗口办理</source>
        <translation>Your card has expired: please go to a staffed counter</translation>
    </message>
    <message>
        <source>无法识别这张证件，请换一张证件或联系工作人员</source>
        <translation>This card cannot be read: try another card or ask staff</translation>
    </message>
    <message>
        <source>读卡中断，请将证件放稳，再放一次</source>
        <translation>The card moved while reading: please place it again and hold still</translation>
    </message>
    <message>
        <source>暂时无法连接服务器，请稍后再试或联系工作人员</source>
        <translation>The hall server cannot be reached: try again later or ask staff</translation>
    </message>
    <message>
        <source>该业务现在已停止取号</source>
        <translation>This service is closed now</translation>
    </message>
    <message>
        <source>该业务今日号已取完</source>
        <translation>No tickets are left today for this service</translation>
    </message>
    <message>
        <source>今日取号已满，这是您的号票</source>
        <translation>Today&apos;s limit reached: here is your ticket</translation>
    </message>
    <message>
        <source>该业务需要身份证，请将身份证放在感应区</source>
        <translation>This service needs an ID card: please place it on the reader</translation>
    </message>
    <message>
        <source>无法取号，请联系工作人员</source>
        <translation>No ticket could be issued: please ask staff</translation>
    </message>
    <message>
        <source>返回首页</source>
        <translation>Back to start</translation>
    </message>
    <message>
        <source>还需要时间</source>
        <translation>More time</translation>
    </message>
    <message>
        <source>{n} 秒后返回首页</source>
        <translation>Back to start in {n} s</translation>
    </message>
    <message>
        <source>还有 {n} 秒返回首页，需要更多时间请点“还需要时间”</source>
        <translation>Returning to start in {n} seconds. Tap More time if you need it.</translation>
    </message>
    <message>
        <source>您的号码是 {number}，前面还有 {n} 人，请取走您的号票</source>
        <translation>Your number is {number}, {n} people ahead. Please take your ticket.</translation>
    </message>
    <message>
        <source>证件</source>
        <translation>ID</translation>
    </message>
    <message>
        <source>管理设置</source>
        <translation>Kiosk settings</translation>
    </message>
    <message>
        <source>请输入管理密码</source>
        <translation>Enter the admin PIN</translation>
    </message>
    <message>
        <source>自助机令牌</source>
        <translation>Kiosk token</translation>
    </message>
    <message>
        <source>保存</source>
        <translation>Save</translation>
    </message>
    <message>
        <source>密码错误</source>
        <translation>Wrong PIN</translation>
    </message>
    <message>
        <source>已保存</source>
        <translation>Saved</translation>
    </message>
    <message>
        <source>↑ 向上滑动，查看更多业务</source>
        <translation>↑ Swipe up for more services</translation>
    </message>
    <message>
        <source>读卡器暂时无法使用</source>
        <translation>The card reader is out of order</translation>
    </message>
    <message>
        <source>无需身份证的业务，请点下方「无证取号」；其他业务请找工作人员</source>
        <translation>For services without ID, tap “No ID card” below; otherwise please ask staff</translation>
    </message>
    <message>
        <source>您预约了 {time} {category}，已签到，将优先叫号</source>
        <translation>Your {time} appointment for {category} is checked in: you will be called first</translation>
    </message>
    <message>
        <source>手工输入证件号</source>
        <translation>Type ID number</translation>
    </message>
    <message>
        <source>请输入 18 位身份证号码</source>
        <translation>Please type the 18-character ID number</translation>
    </message>
    <message>
        <source>还需输入 {n} 位</source>
        <translation>{n} more to type</translation>
    </message>
    <message>
        <source>✓ 号码校验正确，请点「确定」</source>
        <translation>✓ The number checks out: tap OK</translation>
    </message>
    <message>
        <source>✗ 号码有误，请核对后修改</source>
        <translation>✗ This number is not right: please check it</translation>
    </message>
    <message>
        <source>确定</source>
        <translation>OK</translation>
    </message>
    <message>
        <source>删除</source>
        <translation>Delete</translation>
    </message>
</context>
</TS>
