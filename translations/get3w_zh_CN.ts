<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>Accessibility</name>
    <message>
        <source>Clear {what}</source>
        <extracomment>Qt&apos;s name for the clear button&apos;s action (qlineedit_p.h).</extracomment>
        <translation>清除{what}</translation>
    </message>
    <message>
        <source>Clear</source>
        <translation>清除</translation>
    </message>
</context>
<context>
    <name>App</name>
    <message>
        <source>No API key was found for “{name}”, so tasks run in the sandbox. Use “{action}” to add it.</source>
        <translation>没有找到“{name}”的 API 密钥，任务将在沙盒中运行。请使用“{action}”添加密钥。</translation>
    </message>
</context>
<context>
    <name>Batch</name>
    <message>
        <source>Batch: {done} of {total} done</source>
        <translation>批量：已完成 {done}/{total}</translation>
    </message>
    <message>
        <source>{count} failed</source>
        <translation>{count} 个失败</translation>
    </message>
    <message>
        <source>{count} not saved</source>
        <translation>{count} 个未保存</translation>
    </message>
    <message>
        <source>{count} uncertain</source>
        <translation>{count} 个不确定</translation>
    </message>
    <message>
        <source>{count} stopped</source>
        <translation>{count} 个已停止</translation>
    </message>
    <message>
        <source>No prompts yet</source>
        <translation>还没有提示词</translation>
    </message>
    <message>
        <source>No rows yet</source>
        <translation>还没有数据行</translation>
    </message>
    <message>
        <source>1 prompt</source>
        <translation>1 条提示词</translation>
    </message>
    <message>
        <source>{n} prompts</source>
        <translation>{n} 条提示词</translation>
    </message>
    <message>
        <source>1 row</source>
        <translation>1 行</translation>
    </message>
    <message>
        <source>{n} rows</source>
        <translation>{n} 行</translation>
    </message>
    <message>
        <source>1 variation</source>
        <translation>1 个变体</translation>
    </message>
    <message>
        <source>{n} variations</source>
        <translation>{n} 个变体</translation>
    </message>
    <message>
        <source>1 task</source>
        <translation>1 个任务</translation>
    </message>
    <message>
        <source>{n} tasks</source>
        <translation>{n} 个任务</translation>
    </message>
    <message>
        <source> · about {cost}</source>
        <translation> · 约 {cost}</translation>
    </message>
</context>
<context>
    <name>BatchBar</name>
    <message>
        <source>Batch progress</source>
        <translation>批量进度</translation>
    </message>
    <message>
        <source>Cancel batch</source>
        <translation>取消批量</translation>
    </message>
    <message>
        <source>Stop every task of this batch that has not finished. Tasks already running on the server go on there.</source>
        <translation>停止此批量中所有尚未完成的任务。已在服务器上运行的任务会在那里继续运行。</translation>
    </message>
    <message>
        <source>Retry failed</source>
        <translation>重试失败项</translation>
    </message>
    <message>
        <source>Send the failed tasks again with the same parameters</source>
        <translation>用相同参数重新发送失败的任务</translation>
    </message>
    <message>
        <source>Send uncertain again…</source>
        <translation>重新发送不确定的任务…</translation>
    </message>
    <message>
        <source>Hide this batch&apos;s progress</source>
        <translation>隐藏此批量的进度</translation>
    </message>
    <message>
        <source>Hide batch progress</source>
        <translation>隐藏批量进度</translation>
    </message>
    <message>
        <source>Retry {count} failed</source>
        <translation>重试 {count} 个失败项</translation>
    </message>
    <message numerus="yes">
        <source>%n submit answer(s) were lost: those tasks may exist and be charged. Sending them again may pay twice.</source>
        <translation>
            <numerusform>有 %n 个提交的应答丢失：这些任务可能已经创建并扣费。再次发送可能会重复付费。</numerusform>
        </translation>
    </message>
    <message>
        <source>Send uncertain tasks again?</source>
        <translation>重新发送不确定的任务？</translation>
    </message>
    <message numerus="yes">
        <source>The server&apos;s answer to %n submit(s) was lost, so those tasks may already exist and be charged. Sending them again may create (and charge) them twice.

Send them again?</source>
        <translation>
            <numerusform>服务器对 %n 次提交的应答丢失了，这些任务可能已经创建并扣费。再次发送可能会重复创建（并重复扣费）。

仍要重新发送吗？</numerusform>
        </translation>
    </message>
    <message>
        <source>{count} waiting</source>
        <translation>{count} 个等待中</translation>
    </message>
    <message>
        <source>{count} running</source>
        <translation>{count} 个运行中</translation>
    </message>
    <message>
        <source>{count} done</source>
        <translation>{count} 个已完成</translation>
    </message>
    <message>
        <source>{count} failed</source>
        <translation>{count} 个失败</translation>
    </message>
    <message>
        <source>{count} finished but not saved</source>
        <translation>{count} 个已完成但未保存</translation>
    </message>
    <message>
        <source>{count} uncertain (may be charged)</source>
        <translation>{count} 个不确定（可能已扣费）</translation>
    </message>
    <message>
        <source>{count} stopped</source>
        <translation>{count} 个已停止</translation>
    </message>
</context>
<context>
    <name>BatchDialog</name>
    <message>
        <source>Batch — {model}</source>
        <translation>批量 — {model}</translation>
    </message>
    <message>
        <source>Send many tasks to &lt;b&gt;{model}&lt;/b&gt; at once: paste prompts, one per line, or load a CSV file with a column per parameter. Whatever a row leaves out comes from the form.</source>
        <translation>一次向 &lt;b&gt;{model}&lt;/b&gt; 发送多个任务：粘贴提示词（每行一条），或载入每列对应一个参数的 CSV 文件。某行未填写的值取自表单。</translation>
    </message>
    <message>
        <source>One prompt per &amp;line</source>
        <translation>每行一条提示词(&amp;L)</translation>
    </message>
    <message>
        <source>&amp;CSV, first row names the parameters</source>
        <translation>&amp;CSV，首行为参数名</translation>
    </message>
    <message>
        <source>For example:  prompt,seed,aspect_ratio</source>
        <translation>例如：  prompt,seed,aspect_ratio</translation>
    </message>
    <message>
        <source>&amp;Load .txt/.csv…</source>
        <translation>载入 .txt/.csv(&amp;L)…</translation>
    </message>
    <message>
        <source>A text file with one prompt per line, or a CSV file with a column per parameter</source>
        <translation>每行一条提示词的文本文件，或每列对应一个参数的 CSV 文件</translation>
    </message>
    <message>
        <source>A red fox in fresh snow, morning light
A lighthouse on a cliff at dusk, oil painting
# Lines starting with # are skipped</source>
        <translation>晨光中新雪里的一只红狐狸
黄昏时悬崖上的灯塔，油画风格
# 以 # 开头的行会被跳过</translation>
    </message>
    <message>
        <source>Prompts, one per line</source>
        <translation>提示词，每行一条</translation>
    </message>
    <message>
        <source>Tasks per prompt, each with its own seed</source>
        <translation>每条提示词的任务数，每个任务使用各自的种子</translation>
    </message>
    <message>
        <source>Batch size</source>
        <translation>批量大小</translation>
    </message>
    <message>
        <source>Preview</source>
        <translation>预览</translation>
    </message>
    <message>
        <source>Preview of the first rows</source>
        <translation>前几行的预览</translation>
    </message>
    <message>
        <source>Problems</source>
        <translation>问题</translation>
    </message>
    <message>
        <source>Start</source>
        <translation>开始</translation>
    </message>
    <message>
        <source>&amp;Variations:</source>
        <translation>变体数(&amp;V)：</translation>
    </message>
    <message>
        <source>Load prompts</source>
        <translation>载入提示词</translation>
    </message>
    <message>
        <source>Prompt lists (*.txt *.csv *.tsv);;Text files (*.txt);;CSV files (*.csv *.tsv);;All files (*)</source>
        <translation>提示词列表 (*.txt *.csv *.tsv);;文本文件 (*.txt);;CSV 文件 (*.csv *.tsv);;所有文件 (*)</translation>
    </message>
    <message>
        <source>it is {size} MB; a prompt list can be at most {limit} MB</source>
        <translation>文件大小为 {size} MB；提示词列表最大为 {limit} MB</translation>
    </message>
    <message>
        <source>Could not read {name}: {reason}.</source>
        <translation>无法读取 {name}：{reason}。</translation>
    </message>
    <message>
        <source>From {name}</source>
        <translation>来自 {name}</translation>
    </message>
    <message>
        <source>Start 1 task</source>
        <translation>开始 1 个任务</translation>
    </message>
    <message>
        <source>Start {count} tasks</source>
        <translation>开始 {count} 个任务</translation>
    </message>
    <message>
        <source>Row</source>
        <translation>行</translation>
    </message>
    <message>
        <source>Line</source>
        <translation>行</translation>
    </message>
    <message>
        <source>From the form</source>
        <translation>取自表单</translation>
    </message>
    <message>
        <source>Preview: the first {shown} of {total}</source>
        <translation>预览：共 {total} 行中的前 {shown} 行</translation>
    </message>
    <message>
        <source> · grey values come from the form</source>
        <translation> · 灰色的值取自表单</translation>
    </message>
    <message>
        <source>random</source>
        <translation>随机</translation>
    </message>
    <message>
        <source>(default)</source>
        <translation>（默认）</translation>
    </message>
</context>
<context>
    <name>Catalogue</name>
    <message>
        <source>Channel</source>
        <translation>通道</translation>
    </message>
    <message>
        <source>Prompt</source>
        <translation>提示词</translation>
    </message>
    <message>
        <source>Aspect ratio</source>
        <translation>宽高比</translation>
    </message>
    <message>
        <source>Resolution</source>
        <translation>分辨率</translation>
    </message>
    <message>
        <source>Duration (s)</source>
        <translation>时长（秒）</translation>
    </message>
    <message>
        <source>Size</source>
        <translation>尺寸</translation>
    </message>
    <message>
        <source>Seed</source>
        <translation>种子</translation>
    </message>
    <message>
        <source>Format</source>
        <translation>格式</translation>
    </message>
    <message>
        <source>Negative prompt</source>
        <translation>反向提示词</translation>
    </message>
    <message>
        <source>Images</source>
        <translation>图像</translation>
    </message>
    <message>
        <source>Generate audio</source>
        <translation>生成音频</translation>
    </message>
    <message>
        <source>Guidance</source>
        <translation>引导强度</translation>
    </message>
    <message>
        <source>Start image</source>
        <translation>起始图像</translation>
    </message>
    <message>
        <source>Mask</source>
        <translation>蒙版</translation>
    </message>
    <message>
        <source>Strength</source>
        <translation>强度</translation>
    </message>
    <message>
        <source>Steps</source>
        <translation>步数</translation>
    </message>
    <message>
        <source>Safety checker</source>
        <translation>安全检查</translation>
    </message>
    <message>
        <source>First frame</source>
        <translation>首帧</translation>
    </message>
    <message>
        <source>Last frame</source>
        <translation>尾帧</translation>
    </message>
    <message>
        <source>Fixed camera</source>
        <translation>固定镜头</translation>
    </message>
    <message>
        <source>Audio</source>
        <translation>音频</translation>
    </message>
    <message>
        <source>Shots</source>
        <translation>镜头</translation>
    </message>
    <message>
        <source>Expand prompt</source>
        <translation>扩写提示词</translation>
    </message>
    <message>
        <source>Image</source>
        <translation>图像</translation>
    </message>
    <message>
        <source>Text</source>
        <translation>文本</translation>
    </message>
    <message>
        <source>Voice</source>
        <translation>音色</translation>
    </message>
    <message>
        <source>Speed</source>
        <translation>语速</translation>
    </message>
    <message>
        <source>Volume</source>
        <translation>音量</translation>
    </message>
    <message>
        <source>Pitch</source>
        <translation>音调</translation>
    </message>
    <message>
        <source>Emotion</source>
        <translation>情绪</translation>
    </message>
    <message>
        <source>Read numbers in English</source>
        <translation>用英语读数字</translation>
    </message>
    <message>
        <source>About 1024, 2048 or 4096 pixels on the long side.</source>
        <translation>长边约 1024、2048 或 4096 像素。</translation>
    </message>
    <message>
        <source>Add a matching soundtrack.</source>
        <translation>添加与画面匹配的配乐。</translation>
    </message>
    <message>
        <source>Better reading of numbers and dates in English text (a little slower).</source>
        <translation>更好地朗读英文文本中的数字和日期（稍慢一些）。</translation>
    </message>
    <message>
        <source>Filter unsafe results.</source>
        <translation>过滤不安全的结果。</translation>
    </message>
    <message>
        <source>Get3W service tier: economy (cheapest), stable, or official.</source>
        <translation>Get3W 服务档位：经济（最便宜）、稳定或官方。</translation>
    </message>
    <message>
        <source>How closely to follow the prompt.</source>
        <translation>遵循提示词的程度。</translation>
    </message>
    <message>
        <source>How far to move away from the start image.</source>
        <translation>与起始图像的偏离程度。</translation>
    </message>
    <message>
        <source>How many images to make.</source>
        <translation>要生成的图像数量。</translation>
    </message>
    <message>
        <source>Keep the camera still.</source>
        <translation>保持镜头静止。</translation>
    </message>
    <message>
        <source>Length in seconds.</source>
        <translation>时长，单位为秒。</translation>
    </message>
    <message>
        <source>Length of the video in seconds.</source>
        <translation>视频时长，单位为秒。</translation>
    </message>
    <message>
        <source>Let the model elaborate on the prompt.</source>
        <translation>让模型扩充提示词的细节。</translation>
    </message>
    <message>
        <source>Loudness; 1 is normal.</source>
        <translation>响度；1 为正常。</translation>
    </message>
    <message>
        <source>More steps: more detail, slower.</source>
        <translation>步数越多，细节越丰富，速度越慢。</translation>
    </message>
    <message>
        <source>One of MiniMax&apos;s system voices.</source>
        <translation>MiniMax 的系统音色之一。</translation>
    </message>
    <message>
        <source>One shot or several.</source>
        <translation>单镜头或多镜头。</translation>
    </message>
    <message>
        <source>Optional: a soundtrack to follow.</source>
        <translation>可选：要配合的音轨。</translation>
    </message>
    <message>
        <source>Optional: an image to start from.</source>
        <translation>可选：作为起点的图像。</translation>
    </message>
    <message>
        <source>Optional: the image it ends on.</source>
        <translation>可选：作为结尾的图像。</translation>
    </message>
    <message>
        <source>Optional: white areas are repainted.</source>
        <translation>可选：白色区域会被重绘。</translation>
    </message>
    <message>
        <source>Shift the voice up or down, in semitones.</source>
        <translation>升高或降低音调，单位为半音。</translation>
    </message>
    <message>
        <source>Speaking rate; 1 is normal.</source>
        <translation>语速；1 为正常。</translation>
    </message>
    <message>
        <source>The image file format.</source>
        <translation>图像文件格式。</translation>
    </message>
    <message>
        <source>The image the video starts from.</source>
        <translation>视频的起始图像。</translation>
    </message>
    <message>
        <source>The image to animate.</source>
        <translation>要制作成动画的图像。</translation>
    </message>
    <message>
        <source>The images to edit or combine.</source>
        <translation>要编辑或合成的图像。</translation>
    </message>
    <message>
        <source>The images to edit.</source>
        <translation>要编辑的图像。</translation>
    </message>
    <message>
        <source>The mood of the delivery.</source>
        <translation>朗读时的情绪。</translation>
    </message>
    <message>
        <source>The same seed and inputs give the same result; -1 = random.</source>
        <translation>相同的种子和输入会得到相同的结果；-1 表示随机。</translation>
    </message>
    <message>
        <source>The shape of the image.</source>
        <translation>图像的形状。</translation>
    </message>
    <message>
        <source>The shape of the video.</source>
        <translation>视频的形状。</translation>
    </message>
    <message>
        <source>Video resolution.</source>
        <translation>视频分辨率。</translation>
    </message>
    <message>
        <source>What the voice says (up to 10,000 characters); &lt;#0.5#&gt; inserts a pause in seconds.</source>
        <translation>要朗读的内容（最多 10,000 个字符）；&lt;#0.5#&gt; 插入以秒计的停顿。</translation>
    </message>
    <message>
        <source>What to generate, in plain words.</source>
        <translation>用平常的话描述要生成的内容。</translation>
    </message>
    <message>
        <source>What to keep out of the result.</source>
        <translation>不希望出现在结果中的内容。</translation>
    </message>
    <message>
        <source>Width*height in pixels, 1024–4096 a side.</source>
        <translation>宽*高，单位为像素，每边 1024–4096。</translation>
    </message>
    <message>
        <source>Width*height in pixels, 256–1536 a side.</source>
        <translation>宽*高，单位为像素，每边 256–1536。</translation>
    </message>
    <message>
        <source>Width*height of the video.</source>
        <translation>视频的宽*高。</translation>
    </message>
    <message>
        <source>Width*height.</source>
        <translation>宽*高。</translation>
    </message>
    <message>
        <source>Output format</source>
        <translation>输出格式</translation>
    </message>
    <message>
        <source>Mask image</source>
        <translation>蒙版图像</translation>
    </message>
    <message>
        <source>Num inference steps</source>
        <translation>推理步数</translation>
    </message>
    <message>
        <source>Guidance scale</source>
        <translation>引导强度</translation>
    </message>
    <message>
        <source>Num images</source>
        <translation>图像数量</translation>
    </message>
    <message>
        <source>Enable safety checker</source>
        <translation>启用安全检查</translation>
    </message>
    <message>
        <source>Duration</source>
        <translation>时长</translation>
    </message>
    <message>
        <source>Last image</source>
        <translation>尾帧图像</translation>
    </message>
    <message>
        <source>Camera fixed</source>
        <translation>固定镜头</translation>
    </message>
    <message>
        <source>Shot type</source>
        <translation>镜头类型</translation>
    </message>
    <message>
        <source>Enable prompt expansion</source>
        <translation>启用提示词扩写</translation>
    </message>
    <message>
        <source>Voice id</source>
        <translation>音色 ID</translation>
    </message>
    <message>
        <source>English normalization</source>
        <translation>英文规范化</translation>
    </message>
    <message>
        <source>Describe what you want to see…</source>
        <translation>描述你想看到的画面…</translation>
    </message>
    <message>
        <source>Describe the change…</source>
        <translation>描述要做的修改…</translation>
    </message>
    <message>
        <source>Describe the motion…</source>
        <translation>描述动作…</translation>
    </message>
    <message>
        <source>Describe the scene and the motion…</source>
        <translation>描述场景和动作…</translation>
    </message>
    <message>
        <source>Describe the scene, the motion and the camera…</source>
        <translation>描述场景、动作和镜头…</translation>
    </message>
    <message>
        <source>Describe the scene, the motion and the sound…</source>
        <translation>描述场景、动作和声音…</translation>
    </message>
    <message>
        <source>Type the words to speak…</source>
        <translation>输入要朗读的文字…</translation>
    </message>
    <message>
        <source>blurry, text…</source>
        <translation>模糊、文字…</translation>
    </message>
    <message>
        <source>Google&apos;s image model with sharp detail and accurate text rendering.</source>
        <translation>Google 的图像模型，细节清晰，文字渲染准确。</translation>
    </message>
    <message>
        <source>Edit or combine up to 14 images with a written instruction.</source>
        <translation>用文字指令编辑或合成最多 14 张图像。</translation>
    </message>
    <message>
        <source>Fast Google image model with extra-wide and extra-tall formats.</source>
        <translation>快速的 Google 图像模型，支持超宽和超高画幅。</translation>
    </message>
    <message>
        <source>ByteDance&apos;s high-resolution image model, up to 4096 pixels a side.</source>
        <translation>字节跳动的高分辨率图像模型，每边最高 4096 像素。</translation>
    </message>
    <message>
        <source>Edit up to 10 reference images with Seedream 4.5.</source>
        <translation>用 Seedream 4.5 编辑最多 10 张参考图像。</translation>
    </message>
    <message>
        <source>Open-weight FLUX model; optional image-to-image and inpainting.</source>
        <translation>开放权重的 FLUX 模型；可选图生图和局部重绘。</translation>
    </message>
    <message>
        <source>Google&apos;s fast video model with native sound.</source>
        <translation>Google 的快速视频模型，原生带声音。</translation>
    </message>
    <message>
        <source>Animate a still image with Veo 3.1 Fast.</source>
        <translation>用 Veo 3.1 Fast 让静态图像动起来。</translation>
    </message>
    <message>
        <source>ByteDance&apos;s cinematic video model with audio.</source>
        <translation>字节跳动的电影级视频模型，带音频。</translation>
    </message>
    <message>
        <source>Alibaba&apos;s video model with multi-shot stories and your own audio.</source>
        <translation>阿里巴巴的视频模型，支持多镜头叙事和自定义音频。</translation>
    </message>
    <message>
        <source>Kuaishou&apos;s image-to-video model with smooth, realistic motion.</source>
        <translation>快手的图生视频模型，动作流畅逼真。</translation>
    </message>
    <message>
        <source>OpenAI&apos;s video model with synchronised sound.</source>
        <translation>OpenAI 的视频模型，声音与画面同步。</translation>
    </message>
    <message>
        <source>Natural, high-definition text-to-speech with 17 ready-made voices.</source>
        <translation>自然的高清文字转语音，提供 17 种现成音色。</translation>
    </message>
</context>
<context>
    <name>ChargeText</name>
    <message>
        <source>Charged</source>
        <translation>已扣费</translation>
    </message>
    <message>
        <source>Charged {amount}</source>
        <translation>已扣费 {amount}</translation>
    </message>
    <message>
        <source>Refunded</source>
        <translation>已退款</translation>
    </message>
    <message>
        <source>Free</source>
        <translation>免费</translation>
    </message>
    <message>
        <source>Not charged</source>
        <translation>未扣费</translation>
    </message>
    <message>
        <source>May be charged</source>
        <translation>可能已扣费</translation>
    </message>
</context>
<context>
    <name>ChoiceField</name>
    <message>
        <source>Type to search {count} options</source>
        <translation>输入以搜索 {count} 个选项</translation>
    </message>
    <message>
        <source>{title}: “{typed}” is not one of the options; pick one.</source>
        <translation>{title}：“{typed}”不在选项中，请从列表中选择一项。</translation>
    </message>
</context>
<context>
    <name>CompareCard</name>
    <message>
        <source>about {cost}</source>
        <translation>约 {cost}</translation>
    </message>
    <message>
        <source>Task {id}</source>
        <translation>任务 {id}</translation>
    </message>
    <message>
        <source>Server time {time}</source>
        <translation>服务器用时 {time}</translation>
    </message>
    <message>
        <source>Click to open it in the main window.</source>
        <translation>点击可在主窗口中打开。</translation>
    </message>
</context>
<context>
    <name>CompareSetup</name>
    <message>
        <source>Models</source>
        <translation>模型</translation>
    </message>
    <message>
        <source>Up to {n} that can run from this form: the same kind of result, its prompt and its inputs. Prices are estimates.</source>
        <translation>最多 {n} 个能用此表单运行的模型：结果类型相同，能接受它的提示词和输入。价格为估算。</translation>
    </message>
    <message>
        <source>Models to compare</source>
        <translation>要比较的模型</translation>
    </message>
    <message>
        <source>Prompt</source>
        <translation>提示词</translation>
    </message>
    <message>
        <source>What every model should make</source>
        <translation>每个模型要生成的内容</translation>
    </message>
    <message>
        <source>Seeds</source>
        <translation>种子</translation>
    </message>
    <message>
        <source>&amp;Count:</source>
        <translation>数量(&amp;C)：</translation>
    </message>
    <message>
        <source>&amp;These:</source>
        <translation>指定(&amp;T)：</translation>
    </message>
    <message>
        <source>for example 1, 2, 42</source>
        <translation>例如 1, 2, 42</translation>
    </message>
    <message>
        <source>Seeds, separated by commas</source>
        <translation>种子，用逗号分隔</translation>
    </message>
    <message>
        <source>&amp;Stop</source>
        <translation>停止(&amp;S)</translation>
    </message>
    <message>
        <source>Stop waiting for the tasks still running (those already sent may be charged)</source>
        <translation>停止等待仍在运行的任务（已发送的任务可能已计费）</translation>
    </message>
    <message>
        <source> seed</source>
        <translation> 个种子</translation>
    </message>
    <message>
        <source> seeds</source>
        <translation> 个种子</translation>
    </message>
    <message>
        <source>{model} · {reason}</source>
        <translation>{model} · {reason}</translation>
    </message>
    <message>
        <source>Cannot be compared from this form: {reason}</source>
        <translation>无法用此表单比较：{reason}</translation>
    </message>
    <message numerus="yes">
        <source>%n more cannot run from this form</source>
        <translation>
            <numerusform>另有 %n 个无法用此表单运行</numerusform>
        </translation>
    </message>
    <message>
        <source>Models of this kind that need an input this form does not give, or cannot take its prompt or input; click to show them and why</source>
        <translation>同类模型中需要此表单没有的输入、或无法接受其提示词或输入的模型；点击可查看它们及原因</translation>
    </message>
    <message>
        <source> and </source>
        <translation>和</translation>
    </message>
    <message>
        <source>cannot take this form&apos;s {inputs}</source>
        <translation>无法接受此表单的{inputs}</translation>
    </message>
    <message>
        <source>takes no prompt</source>
        <translation>不接受提示词</translation>
    </message>
    <message>
        <source>needs {inputs}</source>
        <translation>需要{inputs}</translation>
    </message>
    <message>
        <source>{reason}, which this form does not have</source>
        <translation>{reason}，此表单没有</translation>
    </message>
    <message>
        <source>needs {names}</source>
        <translation>需要 {names}</translation>
    </message>
    <message>
        <source>{reason}, which this form does not give</source>
        <translation>{reason}，此表单未提供</translation>
    </message>
    <message>
        <source>refuses this form&apos;s values</source>
        <translation>不接受此表单的取值</translation>
    </message>
    <message>
        <source>{reason}: {problems}</source>
        <translation>{reason}：{problems}</translation>
    </message>
    <message>
        <source>an input image</source>
        <translation>一张输入图片</translation>
    </message>
    <message>
        <source>input images</source>
        <translation>输入图片</translation>
    </message>
    <message>
        <source>an input video</source>
        <translation>一段输入视频</translation>
    </message>
    <message>
        <source>input videos</source>
        <translation>输入视频</translation>
    </message>
    <message>
        <source>input audio</source>
        <translation>输入音频</translation>
    </message>
    <message>
        <source>has no {names} (left out)</source>
        <translation>没有 {names}（已略去）</translation>
    </message>
    <message>
        <source>does not offer {names} (its default is used)</source>
        <translation>不提供 {names}（使用其默认值）</translation>
    </message>
    <message>
        <source>takes no seed (each of its runs varies by itself)</source>
        <translation>不接受种子（每次运行自行变化）</translation>
    </message>
    <message>
        <source>has no price in the model list (the total leaves it out)</source>
        <translation>模型列表中没有价格（总计不含它）</translation>
    </message>
    <message>
        <source>{model}: {details}.</source>
        <translation>{model}：{details}。</translation>
    </message>
    <message>
        <source>; </source>
        <translation>；</translation>
    </message>
    <message>
        <source>&amp;Run 1 task</source>
        <translation>运行 1 个任务(&amp;R)</translation>
    </message>
    <message>
        <source>&amp;Run {count} tasks</source>
        <translation>运行 {count} 个任务(&amp;R)</translation>
    </message>
    <message>
        <source>&amp;Run</source>
        <translation>运行(&amp;R)</translation>
    </message>
    <message>
        <source>Nothing to compare yet</source>
        <translation>尚无可比较的内容</translation>
    </message>
    <message>
        <source>1 model</source>
        <translation>1 个模型</translation>
    </message>
    <message>
        <source>{n} models</source>
        <translation>{n} 个模型</translation>
    </message>
    <message>
        <source>1 seed</source>
        <translation>1 个种子</translation>
    </message>
    <message>
        <source>{n} seeds</source>
        <translation>{n} 个种子</translation>
    </message>
    <message>
        <source>1 run</source>
        <translation>1 次运行</translation>
    </message>
    <message>
        <source>{n} runs</source>
        <translation>{n} 次运行</translation>
    </message>
    <message>
        <source>1 task</source>
        <translation>1 个任务</translation>
    </message>
    <message>
        <source>{n} tasks</source>
        <translation>{n} 个任务</translation>
    </message>
    <message>
        <source>{models} × {seeds} = {tasks}</source>
        <translation>{models} × {seeds} = {tasks}</translation>
    </message>
    <message>
        <source> · about {cost}</source>
        <translation> · 约 {cost}</translation>
    </message>
    <message>
        <source> + {n} without a price</source>
        <translation> + {n} 个无价格</translation>
    </message>
    <message>
        <source>Every model gets the same seeds, so a column compares like with like.</source>
        <translation>每个模型使用相同的种子，因此同一列可以公平比较。</translation>
    </message>
    <message>
        <source>None of these models takes a seed: each run varies by itself.</source>
        <translation>这些模型都不接受种子：每次运行各自变化。</translation>
    </message>
    <message>
        <source>Seeds {seeds}, the same for every model.</source>
        <translation>种子 {seeds}，所有模型相同。</translation>
    </message>
</context>
<context>
    <name>CompareWindow</name>
    <message>
        <source>Compare models and seeds</source>
        <translation>比较模型与种子</translation>
    </message>
    <message>
        <source>Results</source>
        <translation>结果</translation>
    </message>
    <message>
        <source>&amp;Use these settings</source>
        <translation>使用这些设置(&amp;U)</translation>
    </message>
    <message>
        <source>Put the selected card&apos;s model and settings, seed included, into the form</source>
        <translation>将所选卡片的模型和设置（包括种子）填入表单</translation>
    </message>
    <message>
        <source>Pick the models to compare and press Run.
Each task appears here with its result, how long it took and what it cost; click one to open it.</source>
        <translation>选择要比较的模型，然后点击“运行”。
每个任务都会显示在这里，包括结果、用时和费用；点击即可打开。</translation>
    </message>
    <message>
        <source>Not sent.</source>
        <translation>未发送。</translation>
    </message>
    <message>
        <source>The tasks could not be sent: {reason}.</source>
        <translation>无法发送任务：{reason}。</translation>
    </message>
    <message>
        <source>takes no seed</source>
        <translation>不接受种子</translation>
    </message>
    <message>
        <source>Seed {seed}</source>
        <translation>种子 {seed}</translation>
    </message>
    <message>
        <source>Run {n}</source>
        <translation>第 {n} 次运行</translation>
    </message>
    <message>
        <source>No seed</source>
        <translation>无种子</translation>
    </message>
    <message>
        <source>Run {n} · no seed</source>
        <translation>第 {n} 次运行 · 无种子</translation>
    </message>
    <message>
        <source>{done} of {total} done</source>
        <translation>已完成 {done}/{total}</translation>
    </message>
    <message>
        <source>{done} of {total} done in {time}</source>
        <translation>已完成 {done}/{total}，用时 {time}</translation>
    </message>
    <message>
        <source> · {n} did not finish</source>
        <translation> · {n} 个未完成</translation>
    </message>
    <message>
        <source> · about {cost} so far</source>
        <translation> · 目前约 {cost}</translation>
    </message>
    <message>
        <source> · about {cost} in all</source>
        <translation> · 共约 {cost}</translation>
    </message>
    <message>
        <source> · {cost} in all</source>
        <translation> · 共 {cost}</translation>
    </message>
</context>
<context>
    <name>ConnectionPanel</name>
    <message>
        <source>Address</source>
        <translation>地址</translation>
    </message>
    <message>
        <source>Name lookup (DNS)</source>
        <translation>域名解析 (DNS)</translation>
    </message>
    <message>
        <source>Connection (TCP)</source>
        <translation>连接 (TCP)</translation>
    </message>
    <message>
        <source>Proxy tunnel</source>
        <translation>代理隧道</translation>
    </message>
    <message>
        <source>Secure connection (TLS)</source>
        <translation>安全连接 (TLS)</translation>
    </message>
    <message>
        <source>Web server (HTTP)</source>
        <translation>网页服务器 (HTTP)</translation>
    </message>
    <message>
        <source>API key (auth)</source>
        <translation>API 密钥（认证）</translation>
    </message>
    <message>
        <source>&amp;Test connection</source>
        <extracomment>Pixels: a longer sentence wraps at this width instead of crossing the screen.</extracomment>
        <translation>测试连接(&amp;T)</translation>
    </message>
    <message>
        <source>Check the address, the proxy, the secure connection and the key, step by step.</source>
        <translation>逐步检查地址、代理、安全连接和密钥。</translation>
    </message>
    <message>
        <source>Connection test results</source>
        <translation>连接测试结果</translation>
    </message>
    <message>
        <source>Stopping…</source>
        <translation>正在停止…</translation>
    </message>
    <message>
        <source>Testing…</source>
        <translation>正在测试…</translation>
    </message>
    <message>
        <source>S&amp;top</source>
        <translation>停止(&amp;T)</translation>
    </message>
    <message>
        <source>{mark}  {stage} — {ms} ms</source>
        <translation>{mark}  {stage} — {ms} 毫秒</translation>
    </message>
    <message>
        <source>Stopped before every check was done.</source>
        <translation>在全部检查完成之前已停止。</translation>
    </message>
    <message>
        <source>Connected.</source>
        <translation>已连接。</translation>
    </message>
    <message>
        <source>Failed at: {stage}</source>
        <translation>失败于：{stage}</translation>
    </message>
</context>
<context>
    <name>CrashDialog</name>
    <message>
        <source>Something went wrong</source>
        <translation>出错了</translation>
    </message>
    <message>
        <source>Get3W Desktop hit an unexpected error. Your tasks are safe: the app keeps running. The report below has no keys in it; copy it into a bug report.</source>
        <translation>Get3W Desktop 遇到了意外错误。您的任务是安全的：应用会继续运行。下面的报告不含任何密钥；可将其复制到错误报告中。</translation>
    </message>
    <message>
        <source>&amp;Copy report</source>
        <translation>复制报告(&amp;C)</translation>
    </message>
    <message>
        <source>Copied</source>
        <translation>已复制</translation>
    </message>
</context>
<context>
    <name>CrashHandler</name>
    <message>
        <source>Something went wrong ({count} errors)</source>
        <translation>出错了（{count} 个错误）</translation>
    </message>
</context>
<context>
    <name>DamagedHistory</name>
    <message>
        <source>Start a new, empty history? Your old one stays in that copy.</source>
        <translation>要开始一个新的空白历史吗？旧的历史会保留在那份副本中。</translation>
    </message>
    <message>
        <source>Task history</source>
        <translation>任务历史</translation>
    </message>
    <message>
        <source>%1

Tasks will run, but they will not be kept after you quit.</source>
        <translation>%1

任务仍可运行，但退出后不会保留。</translation>
    </message>
    <message>
        <source>Start a new, empty history? Your old one stays in that copy, and the tasks of this session go into the new one. Or continue without a history: tasks run, but are not kept after you quit.</source>
        <translation>要开始一个新的空白历史吗？旧的历史会保留在那份副本中，本次运行的任务会放入新的历史。也可以不使用历史继续：任务仍可运行，但退出后不会保留。</translation>
    </message>
    <message>
        <source>No new history could be started: %1

Tasks will run, but they will not be kept after you quit.</source>
        <translation>无法开始新的历史：%1

任务仍可运行，但退出后不会保留。</translation>
    </message>
    <message>
        <source>A new task history was started with this session&apos;s tasks. The damaged one was kept as %1.</source>
        <translation>已开始新的任务历史，其中包含本次运行的任务。损坏的历史已保留为 %1。</translation>
    </message>
    <message>
        <source>Continuing without a task history: this session&apos;s tasks are kept until you quit.</source>
        <translation>继续运行但不使用任务历史：本次运行的任务会保留到你退出为止。</translation>
    </message>
    <message>
        <source>Start a new history</source>
        <translation>开始新的历史</translation>
    </message>
    <message>
        <source>Continue without history</source>
        <translation>不使用历史继续</translation>
    </message>
    <message>
        <source>The task history %1 was written by a newer version of Get3W Desktop. Update the app to see it.</source>
        <translation>任务历史 %1 由更新版本的 Get3W Desktop 写入。请更新应用后查看。</translation>
    </message>
    <message>
        <source>The task history file %1 is damaged and cannot be read.</source>
        <translation>任务历史文件 %1 已损坏，无法读取。</translation>
    </message>
    <message>
        <source>A backup copy could not be made; the file was left untouched.</source>
        <translation>无法创建备份副本；该文件未被改动。</translation>
    </message>
    <message>
        <source>A copy was kept as %1.</source>
        <translation>已保留一份副本：%1。</translation>
    </message>
</context>
<context>
    <name>DataDialog</name>
    <message>
        <source>Where your data lives</source>
        <translation>你的数据存放在哪里</translation>
    </message>
    <message>
        <source>Everything Get3W Desktop keeps on this computer is in these places. You can open, back up or delete them.</source>
        <translation>Get3W Desktop 在这台电脑上保存的所有内容都在下面这些位置。你可以打开、备份或删除它们。</translation>
    </message>
    <message>
        <source>Settings</source>
        <translation>设置</translation>
    </message>
    <message>
        <source>Profiles, folders, limits and the window&apos;s layout.</source>
        <translation>配置、文件夹、限额和窗口布局。</translation>
    </message>
    <message>
        <source>Task history</source>
        <translation>任务历史</translation>
    </message>
    <message>
        <source>Every task you sent and its parameters.</source>
        <translation>你发送过的每个任务及其参数。</translation>
    </message>
    <message>
        <source>Downloaded results</source>
        <translation>已下载的结果</translation>
    </message>
    <message>
        <source>The app&apos;s own copy of every result; your saved copies stay where you saved them.</source>
        <translation>应用为每个结果保留的副本；你另存的副本仍在你保存的位置。</translation>
    </message>
    <message>
        <source>Thumbnail cache</source>
        <translation>缩略图缓存</translation>
    </message>
    <message>
        <source>Small previews; safe to delete, they are made again.</source>
        <translation>小预览图；可以放心删除，需要时会重新生成。</translation>
    </message>
    <message>
        <source>Logs</source>
        <translation>日志</translation>
    </message>
    <message>
        <source>What the app did, for Help › Save diagnostics…; never contains your key.</source>
        <translation>应用的运行记录，供“帮助 › 保存诊断信息…”使用；其中从不包含你的密钥。</translation>
    </message>
    <message>
        <source>Sandbox account</source>
        <translation>沙盒账户</translation>
    </message>
    <message>
        <source>The pretend balance and bill of the offline sandbox.</source>
        <translation>离线沙盒的模拟余额和账单。</translation>
    </message>
    <message>
        <source>{what} Not created yet.</source>
        <translation>{what}尚未创建。</translation>
    </message>
    <message>
        <source>Open folder</source>
        <translation>打开文件夹</translation>
    </message>
    <message>
        <source>Open the folder of {what}</source>
        <translation>打开{what}所在的文件夹</translation>
    </message>
    <message>
        <source>Copy path</source>
        <translation>复制路径</translation>
    </message>
    <message>
        <source>Copy the path of {what}</source>
        <translation>复制{what}的路径</translation>
    </message>
    <message>
        <source>Uninstalling Get3W Desktop never deletes these places or your key; remove them yourself if you want them gone.</source>
        <translation>卸载 Get3W Desktop 不会删除这些位置或你的密钥；如果不再需要，请自行删除。</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>关闭</translation>
    </message>
    <message>
        <source>Your API key is in none of these places. No secure keyring is available, so a key you enter is kept in memory until the app quits.</source>
        <translation>你的 API 密钥不在以上任何位置。当前没有可用的安全密钥环，因此你输入的密钥只保存在内存中，直到应用退出。</translation>
    </message>
    <message>
        <source>Your API key is in none of these places: it is kept in {keyring}, encrypted by your system.</source>
        <translation>你的 API 密钥不在以上任何位置：它保存在{keyring}中，由系统加密。</translation>
    </message>
    <message>
        <source>Nothing could open {folder}. Copy its path and open it in your file manager.</source>
        <translation>没有程序能打开 {folder}。请复制它的路径，在文件管理器中打开。</translation>
    </message>
    <message>
        <source>Opened {folder}</source>
        <translation>已打开 {folder}</translation>
    </message>
    <message>
        <source>Copied {path}</source>
        <translation>已复制 {path}</translation>
    </message>
</context>
<context>
    <name>DeleteDialog</name>
    <message>
        <source>Delete tasks</source>
        <translation>删除任务</translation>
    </message>
    <message>
        <source>Delete 1 task?</source>
        <translation>删除 1 个任务？</translation>
    </message>
    <message>
        <source>Delete {n} tasks?</source>
        <translation>删除 {n} 个任务？</translation>
    </message>
    <message>
        <source>1 running task not included: stop them first.</source>
        <translation>未包含 1 个正在运行的任务：请先停止它。</translation>
    </message>
    <message>
        <source>{n} running tasks not included: stop them first.</source>
        <translation>未包含 {n} 个正在运行的任务：请先停止它们。</translation>
    </message>
    <message>
        <source>Also delete on the server (1 task)</source>
        <translation>同时在服务器上删除（1 个任务）</translation>
    </message>
    <message>
        <source>Also delete on the server ({n} tasks)</source>
        <translation>同时在服务器上删除（{n} 个任务）</translation>
    </message>
    <message>
        <source>Also delete on the server</source>
        <translation>同时在服务器上删除</translation>
    </message>
    <message>
        <source>Delete</source>
        <translation>删除</translation>
    </message>
    <message>
        <source>It is removed from the history, and the app&apos;s copies of its outputs are deleted ({files}, {size}). Copies you saved elsewhere stay where they are.</source>
        <translation>该任务将从历史记录中移除，本应用保存的输出副本也会被删除（{files}，{size}）。你另存到其他位置的副本会保留在原处。</translation>
    </message>
    <message>
        <source>It is removed from the history, and it has no local copies to delete. Copies you saved elsewhere stay where they are.</source>
        <translation>该任务将从历史记录中移除，它没有需要删除的本地副本。你另存到其他位置的副本会保留在原处。</translation>
    </message>
    <message>
        <source>They are removed from the history, and the app&apos;s copies of their outputs are deleted ({files}, {size}). Copies you saved elsewhere stay where they are.</source>
        <translation>这些任务将从历史记录中移除，本应用保存的输出副本也会被删除（{files}，{size}）。你另存到其他位置的副本会保留在原处。</translation>
    </message>
    <message>
        <source>They are removed from the history, and they have no local copies to delete. Copies you saved elsewhere stay where they are.</source>
        <translation>这些任务将从历史记录中移除，它们没有需要删除的本地副本。你另存到其他位置的副本会保留在原处。</translation>
    </message>
    <message>
        <source>None of these tasks reached the server.</source>
        <translation>这些任务都没有到达服务器。</translation>
    </message>
    <message>
        <source>Checking whether the server can delete tasks…</source>
        <translation>正在检查服务器能否删除任务…</translation>
    </message>
    <message>
        <source>This server does not offer deleting tasks; they stay in your Get3W history.</source>
        <translation>此服务器不支持删除任务；它们会保留在你的 Get3W 历史记录中。</translation>
    </message>
    <message>
        <source>Get3W forgets them too, and their output links stop working.</source>
        <translation>Get3W 也会删除这些任务，其输出链接将失效。</translation>
    </message>
    <message>
        <source>Otherwise they stay in your Get3W history until it expires (30 days).</source>
        <translation>否则它们会保留在你的 Get3W 历史记录中，直到过期（30 天）。</translation>
    </message>
    <message>
        <source>Delete here and on the server</source>
        <translation>在本地和服务器上删除</translation>
    </message>
</context>
<context>
    <name>DetailsPanel</name>
    <message>
        <source>Yes</source>
        <translation>是</translation>
    </message>
    <message>
        <source>No</source>
        <translation>否</translation>
    </message>
    <message>
        <source>Prompt</source>
        <translation>提示词</translation>
    </message>
    <message>
        <source>Parameters</source>
        <translation>参数</translation>
    </message>
    <message>
        <source>Time</source>
        <translation>耗时</translation>
    </message>
    <message>
        <source>Task</source>
        <translation>任务</translation>
    </message>
    <message>
        <source>Cost</source>
        <translation>费用</translation>
    </message>
    <message>
        <source>Copy</source>
        <translation>复制</translation>
    </message>
    <message>
        <source>Copy the task id</source>
        <translation>复制任务 ID</translation>
    </message>
    <message>
        <source>{time} on the server</source>
        <translation>服务器上 {time}</translation>
    </message>
    <message>
        <source>{time} from submit to saved</source>
        <translation>从提交到保存 {time}</translation>
    </message>
    <message>
        <source>Service estimate: {time}</source>
        <translation>服务预计：{time}</translation>
    </message>
    <message>
        <source>Created {time}</source>
        <translation>创建于 {time}</translation>
    </message>
    <message>
        <source>finished {time}</source>
        <translation>完成于 {time}</translation>
    </message>
    <message>
        <source>, </source>
        <translation>，</translation>
    </message>
    <message>
        <source>Free</source>
        <translation>免费</translation>
    </message>
</context>
<context>
    <name>DropBox</name>
    <message>
        <source>Drop {what} here, or</source>
        <translation>将{what}拖放到这里，或</translation>
    </message>
    <message>
        <source>Choose files…</source>
        <translation>选择文件…</translation>
    </message>
    <message>
        <source>Choose file…</source>
        <translation>选择文件…</translation>
    </message>
    <message>
        <source>…or paste a link (https://…)</source>
        <translation>…或粘贴链接（https://…）</translation>
    </message>
    <message>
        <source>Add link</source>
        <translation>添加链接</translation>
    </message>
</context>
<context>
    <name>Duration</name>
    <message>
        <source>{s} s</source>
        <translation>{s} 秒</translation>
    </message>
    <message>
        <source>{m} min {s} s</source>
        <translation>{m} 分 {s} 秒</translation>
    </message>
    <message>
        <source>{h} h {m} min</source>
        <translation>{h} 小时 {m} 分</translation>
    </message>
</context>
<context>
    <name>ExportDialog</name>
    <message>
        <source>Export tasks</source>
        <translation>导出任务</translation>
    </message>
    <message>
        <source>Export 1 task</source>
        <translation>导出 1 个任务</translation>
    </message>
    <message>
        <source>Export {n} tasks</source>
        <translation>导出 {n} 个任务</translation>
    </message>
    <message>
        <source>1 output file</source>
        <translation>1 个输出文件</translation>
    </message>
    <message>
        <source>{n} output files</source>
        <translation>{n} 个输出文件</translation>
    </message>
    <message>
        <source>{outputs} ({size}), each task&apos;s parameters, timings and server record in a task.json, and an index.json.</source>
        <translation>{outputs}（{size}），每个任务的参数、耗时和服务器记录保存在 task.json 中，另有一个 index.json。</translation>
    </message>
    <message>
        <source>Choose a folder</source>
        <translation>选择文件夹</translation>
    </message>
    <message>
        <source>Export folder</source>
        <translation>导出文件夹</translation>
    </message>
    <message>
        <source>Choose…</source>
        <translation>选择…</translation>
    </message>
    <message>
        <source>Embed the prompt and parameters in PNG files</source>
        <translation>在 PNG 文件中嵌入提示词和参数</translation>
    </message>
    <message>
        <source>Write a recipe (.json) next to each output</source>
        <translation>在每个输出旁写入配方（.json）</translation>
    </message>
    <message>
        <source>A small file any Get3W Desktop can read back with Remix from file, for every format (JPEG and videos have no room for text inside).</source>
        <translation>一个小文件，任何 Get3W Desktop 都能通过“从文件重新混合”读回，适用于所有格式（JPEG 和视频内部无法存放文字）。</translation>
    </message>
    <message>
        <source>A new folder named “Get3W export …” is created inside it.</source>
        <extracomment>&quot;Get3W export&quot; is the folder&apos;s actual name: keep it as it is.</extracomment>
        <translation>将在其中新建一个名为“Get3W export …”的文件夹。</translation>
    </message>
    <message>
        <source>Save into</source>
        <translation>保存到</translation>
    </message>
    <message>
        <source>Options</source>
        <translation>选项</translation>
    </message>
    <message>
        <source>Export</source>
        <translation>导出</translation>
    </message>
    <message>
        <source>Export into</source>
        <translation>导出到</translation>
    </message>
    <message>
        <source>This folder does not exist.</source>
        <translation>此文件夹不存在。</translation>
    </message>
    <message>
        <source>Not enough space here: {free} free, {needed} needed.</source>
        <translation>此处空间不足：可用 {free}，需要 {needed}。</translation>
    </message>
</context>
<context>
    <name>Field</name>
    <message>
        <source>{title} is required.</source>
        <translation>{title}为必填项。</translation>
    </message>
</context>
<context>
    <name>FieldRow</name>
    <message>
        <source>Required.</source>
        <translation>必填。</translation>
    </message>
</context>
<context>
    <name>FileCard</name>
    <message>
        <source>Open with the system&apos;s app for this kind of file</source>
        <translation>用系统中打开此类文件的应用打开</translation>
    </message>
    <message>
        <source>Show in folder</source>
        <translation>在文件夹中显示</translation>
    </message>
    <message>
        <source>Open the folder that holds this file</source>
        <translation>打开此文件所在的文件夹</translation>
    </message>
    <message>
        <source>Open in 3D viewer</source>
        <translation>在 3D 查看器中打开</translation>
    </message>
    <message>
        <source>Open</source>
        <translation>打开</translation>
    </message>
    <message>
        <source>Open {name}</source>
        <translation>打开 {name}</translation>
    </message>
    <message>
        <source>No app could show the folder; its path is copied: {folder}</source>
        <translation>没有应用能显示该文件夹；已复制其路径：{folder}</translation>
    </message>
</context>
<context>
    <name>GalleryGrid</name>
    <message>
        <source>Gallery</source>
        <translation>图库</translation>
    </message>
    <message>
        <source>Every result of this group. Arrow keys move; Enter opens a result.</source>
        <translation>这一组的全部结果。方向键移动；回车打开一个结果。</translation>
    </message>
</context>
<context>
    <name>GalleryStrip</name>
    <message>
        <source>Outputs</source>
        <translation>输出</translation>
    </message>
</context>
<context>
    <name>GeneratePanel</name>
    <message>
        <source>How many variations to generate (each with its own seed)</source>
        <extracomment>A run whose total is above this asks first (None: never). Set from Settings.</extracomment>
        <translation>要生成的变体数量（每个使用各自的种子）</translation>
    </message>
    <message>
        <source>Generate</source>
        <translation>生成</translation>
    </message>
    <message>
        <source>Generate (Ctrl+Enter)</source>
        <translation>生成（Ctrl+Enter）</translation>
    </message>
    <message>
        <source>Batch…</source>
        <translation>批量…</translation>
    </message>
    <message>
        <source>Many prompts at once, typed or from a .txt/.csv file (Ctrl+Shift+B)</source>
        <translation>一次提交多条提示词，可直接输入或来自 .txt/.csv 文件（Ctrl+Shift+B）</translation>
    </message>
    <message>
        <source>Price of this run</source>
        <translation>本次运行的价格</translation>
    </message>
    <message>
        <source>Variations</source>
        <translation>变体数</translation>
    </message>
    <message>
        <source>This model is no longer offered by the service: its settings are shown for reference, and cannot be sent.</source>
        <translation>服务已不再提供此模型：其设置仅供参考，无法发送。</translation>
    </message>
    <message>
        <source>Check the form: {problem}</source>
        <translation>请检查表单：{problem}</translation>
    </message>
    <message>
        <source>Spending limit</source>
        <translation>支出上限</translation>
    </message>
    <message>
        <source>Not sent.</source>
        <translation>未发送。</translation>
    </message>
    <message>
        <source>{price} each</source>
        <translation>每个 {price}</translation>
    </message>
    <message>
        <source>an estimate from the model list</source>
        <translation>根据模型列表估算</translation>
    </message>
    <message>
        <source>Get3W&apos;s price</source>
        <translation>Get3W 报价</translation>
    </message>
    <message>
        <source>{price} per task × {count} ({source}). Nothing is charged in the sandbox.</source>
        <translation>每个任务 {price} × {count}（{source}）。沙盒中不会产生任何费用。</translation>
    </message>
    <message>
        <source>{price} per task × {count} ({source}).</source>
        <translation>每个任务 {price} × {count}（{source}）。</translation>
    </message>
    <message>
        <source>Generate {count}</source>
        <translation>生成 {count} 个</translation>
    </message>
    <message>
        <source>Generate {count} · {total}</source>
        <translation>生成 {count} 个 · {total}</translation>
    </message>
    <message>
        <source>Generate · {total}</source>
        <translation>生成 · {total}</translation>
    </message>
</context>
<context>
    <name>GuideDialog</name>
    <message>
        <source>Getting started</source>
        <translation>入门指南</translation>
    </message>
    <message>
        <source>Getting started guide</source>
        <translation>入门指南</translation>
    </message>
    <message>
        <source>1. Pick a model</source>
        <translation>1. 选择模型</translation>
    </message>
    <message>
        <source>The list on the left holds every model, grouped by what it makes: pictures, video, sound, 3D and more. Type to search ({find}), or use the filters. Star the ones you like; they stay at the top.</source>
        <translation>左侧列表包含所有模型，按生成内容分组：图片、视频、声音、3D 等。输入文字即可搜索（{find}），也可以使用筛选。给喜欢的模型加星标，它们会一直排在最前面。</translation>
    </message>
    <message>
        <source>2. Fill in the form</source>
        <translation>2. 填写表单</translation>
    </message>
    <message>
        <source>Write what you want in &lt;i&gt;Prompt&lt;/i&gt;. The other fields have sensible defaults; hover over one to learn what it does. Your prompt stays when you switch models.</source>
        <translation>在&lt;i&gt;提示词&lt;/i&gt;中写下你想要的内容。其他字段都有合理的默认值；把鼠标停在字段上即可了解它的作用。切换模型时，你的提示词会保留。</translation>
    </message>
    <message>
        <source>3. Generate, and what it costs</source>
        <translation>3. 生成及费用</translation>
    </message>
    <message>
        <source>Press &lt;i&gt;Generate&lt;/i&gt; ({generate}). The button shows the price before you send; a run above the amount set in Settings asks first, and Settings holds a daily cap. A failed task says whether it was charged.</source>
        <translation>按&lt;i&gt;生成&lt;/i&gt;（{generate}）。发送前按钮上会显示价格；超过设置中金额的运行会先询问你，设置中还有每日上限。失败的任务会说明是否已扣费。</translation>
    </message>
    <message>
        <source>4. Watch your tasks</source>
        <translation>4. 查看任务进度</translation>
    </message>
    <message>
        <source>Each task appears in the list at the bottom right and moves from queued to running to done. Select one to see its result and details; stop waiting with {stop}. You can close the app: unfinished tasks are picked up again next time.</source>
        <translation>每个任务都会出现在右下方的列表中，依次经历排队、运行、完成。选中一个任务即可查看结果和详情；按 {stop} 停止等待。你可以随时关闭应用：未完成的任务下次启动时会继续。</translation>
    </message>
    <message>
        <source>5. Save your results</source>
        <translation>5. 保存结果</translation>
    </message>
    <message>
        <source>Results are kept by the app. Use &lt;i&gt;Save output as…&lt;/i&gt; ({save}) or drag a result out of the window. A saved picture remembers how it was made: drop it back on the window to fill the form again.</source>
        <translation>结果由应用保存。使用&lt;i&gt;输出另存为…&lt;/i&gt;（{save}），或把结果拖出窗口。保存的图片会记住它的生成方式：把它拖回窗口即可重新填好表单。</translation>
    </message>
    <message>
        <source>6. Sandbox or a real key</source>
        <translation>6. 沙盒还是真实密钥</translation>
    </message>
    <message>
        <source>Without an API key the app runs in the &lt;i&gt;Sandbox&lt;/i&gt;: results are simulated on this computer and nothing is charged. Add your Get3W key (File › API key…) to generate for real. The badge at the bottom left always says where new tasks go; click it to switch.</source>
        <translation>没有 API 密钥时，应用在&lt;i&gt;沙盒&lt;/i&gt;中运行：结果在这台电脑上模拟生成，不产生任何费用。添加你的 Get3W 密钥（文件 › API 密钥…）即可真正生成。左下角的标记始终显示新任务发往哪里；点击它即可切换。</translation>
    </message>
    <message>
        <source>7. Where to get help</source>
        <translation>7. 获取帮助</translation>
    </message>
    <message>
        <source>The Help menu lists every keyboard shortcut ({shortcuts}) and where your data lives. If something goes wrong, Help › Save diagnostics… makes a file you can send to Get3W support; it never contains your key.</source>
        <translation>“帮助”菜单列出了所有键盘快捷键（{shortcuts}）以及你的数据存放位置。如果出现问题，“帮助 › 保存诊断信息…”会生成一个文件，你可以发送给 Get3W 支持团队；其中从不包含你的密钥。</translation>
    </message>
    <message>
        <source>Get3W Desktop sends your ideas to generative models and keeps what comes back. Seven steps to your first results:</source>
        <translation>Get3W Desktop 把你的创意发送给生成模型，并保存返回的结果。七个步骤，得到你的第一批结果：</translation>
    </message>
</context>
<context>
    <name>HelpActions</name>
    <message>
        <source>&amp;Getting started</source>
        <translation>入门指南(&amp;G)</translation>
    </message>
    <message>
        <source>&amp;Keyboard shortcuts</source>
        <translation>键盘快捷键(&amp;K)</translation>
    </message>
    <message>
        <source>&amp;Where your data lives</source>
        <translation>数据存放位置(&amp;W)</translation>
    </message>
</context>
<context>
    <name>HelpWindow</name>
    <message>
        <source>Close this window</source>
        <translation>关闭此窗口</translation>
    </message>
</context>
<context>
    <name>Housekeeping</name>
    <message>
        <source>1 task</source>
        <translation>1 个任务</translation>
    </message>
    <message>
        <source>{n} tasks</source>
        <translation>{n} 个任务</translation>
    </message>
    <message>
        <source>1 file</source>
        <translation>1 个文件</translation>
    </message>
    <message>
        <source>{n} files</source>
        <translation>{n} 个文件</translation>
    </message>
</context>
<context>
    <name>HousekeepingActions</name>
    <message>
        <source>E&amp;xport…</source>
        <translation>导出(&amp;X)…</translation>
    </message>
    <message>
        <source>Copy the selected tasks&apos; outputs and records to a folder</source>
        <translation>将所选任务的输出和记录复制到文件夹</translation>
    </message>
    <message>
        <source>S&amp;torage…</source>
        <translation>存储空间(&amp;T)…</translation>
    </message>
    <message>
        <source>Disk space used by outputs; clean up old copies</source>
        <translation>输出占用的磁盘空间；清理旧副本</translation>
    </message>
    <message>
        <source>&amp;Delete…</source>
        <translation>删除(&amp;D)…</translation>
    </message>
    <message>
        <source>Delete the selected tasks here (and on Get3W if you wish)</source>
        <translation>在本地删除所选任务（也可选择在 Get3W 上删除）</translation>
    </message>
    <message>
        <source>Stop waiting for running tasks before deleting them (Ctrl+.).</source>
        <translation>删除正在运行的任务前，请先停止等待（Ctrl+.）。</translation>
    </message>
    <message>
        <source>Select finished tasks to export.</source>
        <translation>请选择已结束的任务进行导出。</translation>
    </message>
    <message>
        <source>Deleted 1 task, also on the server.</source>
        <translation>已删除 1 个任务，服务器上也已删除。</translation>
    </message>
    <message>
        <source>Deleted {n} tasks, {remote} also on the server.</source>
        <translation>已删除 {n} 个任务，其中 {remote} 个在服务器上也已删除。</translation>
    </message>
    <message>
        <source>Deleted 1 task.</source>
        <translation>已删除 1 个任务。</translation>
    </message>
    <message>
        <source>Deleted {n} tasks.</source>
        <translation>已删除 {n} 个任务。</translation>
    </message>
    <message>
        <source>Exported 1 task to {folder}</source>
        <translation>已将 1 个任务导出到 {folder}</translation>
    </message>
    <message>
        <source>Exported {n} tasks to {folder}</source>
        <translation>已将 {n} 个任务导出到 {folder}</translation>
    </message>
    <message>
        <source>1 missing output</source>
        <translation>缺少 1 个输出</translation>
    </message>
    <message>
        <source>{n} missing outputs</source>
        <translation>缺少 {n} 个输出</translation>
    </message>
    <message>
        <source>{exported} ({missing})</source>
        <translation>{exported}（{missing}）</translation>
    </message>
</context>
<context>
    <name>HumanName</name>
    <message>
        <source>seed {seed}</source>
        <translation>种子 {seed}</translation>
    </message>
    <message>
        <source>{index} of {count}</source>
        <translation>第 {index}/{count} 个</translation>
    </message>
</context>
<context>
    <name>ImageView</name>
    <message>
        <source>Result image</source>
        <translation>结果图像</translation>
    </message>
    <message>
        <source>Loading full resolution…</source>
        <translation>正在载入完整分辨率…</translation>
    </message>
</context>
<context>
    <name>ItemRow</name>
    <message>
        <source>Move up</source>
        <translation>上移</translation>
    </message>
    <message>
        <source>Move down</source>
        <translation>下移</translation>
    </message>
    <message>
        <source>Remove</source>
        <translation>移除</translation>
    </message>
    <message>
        <source>Item {number}</source>
        <translation>第 {number} 项</translation>
    </message>
    <message>
        <source>{title}, item {number}</source>
        <translation>{title}，第 {number} 项</translation>
    </message>
    <message>
        <source>{title} is required.</source>
        <translation>{title}为必填项。</translation>
    </message>
</context>
<context>
    <name>JobBook</name>
    <message>
        <source>Waiting: this task runs on profile “{profile}”; switch to it to resume.</source>
        <translation>等待中：此任务属于配置“{profile}”；切换到该配置即可继续。</translation>
    </message>
    <message>
        <source>Resuming 1 unfinished task</source>
        <translation>正在继续 1 个未完成的任务</translation>
    </message>
    <message>
        <source>Resuming {count} unfinished tasks</source>
        <translation>正在继续 {count} 个未完成的任务</translation>
    </message>
</context>
<context>
    <name>JobDelegate</name>
    <message>
        <source>No prompt</source>
        <extracomment>The rows&apos; thumbnail tiles and fonts, made once and reused by every repaint.</extracomment>
        <translation>无提示词</translation>
    </message>
</context>
<context>
    <name>JobState</name>
    <message>
        <source>Queued</source>
        <translation>排队中</translation>
    </message>
    <message>
        <source>Submitting</source>
        <translation>提交中</translation>
    </message>
    <message>
        <source>Running</source>
        <translation>运行中</translation>
    </message>
    <message>
        <source>Downloading</source>
        <translation>下载中</translation>
    </message>
    <message>
        <source>Done</source>
        <translation>已完成</translation>
    </message>
    <message>
        <source>Failed</source>
        <translation>失败</translation>
    </message>
    <message>
        <source>Not saved</source>
        <translation>未保存</translation>
    </message>
    <message>
        <source>Submission uncertain</source>
        <translation>提交状态不确定</translation>
    </message>
    <message>
        <source>Stopped</source>
        <translation>已停止</translation>
    </message>
</context>
<context>
    <name>JobStatus</name>
    <message>
        <source>Waiting for a free slot</source>
        <translation>等待空闲名额</translation>
    </message>
    <message>
        <source>Sending to Get3W…</source>
        <translation>正在发送到 Get3W…</translation>
    </message>
    <message>
        <source>{elapsed} of {estimate}</source>
        <translation>{elapsed} / {estimate}</translation>
    </message>
    <message>
        <source>{elapsed} · expected {estimate}</source>
        <translation>{elapsed} · 预计{estimate}</translation>
    </message>
    <message>
        <source>Saving results… · {elapsed}</source>
        <translation>正在保存结果… · {elapsed}</translation>
    </message>
    <message>
        <source>Finished in {elapsed}</source>
        <translation>用时 {elapsed}</translation>
    </message>
    <message>
        <source> · {count} files</source>
        <translation> · {count} 个文件</translation>
    </message>
    <message>
        <source>Stopped after {elapsed}</source>
        <translation>{elapsed} 后停止</translation>
    </message>
    <message>
        <source>Taking longer than usual</source>
        <translation>比平时慢</translation>
    </message>
</context>
<context>
    <name>KeyDialog</name>
    <message>
        <source>Remove the key?</source>
        <translation>删除密钥？</translation>
    </message>
    <message>
        <source>Remove the API key of profile “{profile}” from this computer? Tasks on this profile will need a key again. The key itself stays valid on Get3W.</source>
        <translation>要从这台电脑上删除配置“{profile}”的 API 密钥吗？此配置上的任务将需要重新提供密钥。密钥本身在 Get3W 上仍然有效。</translation>
    </message>
    <message>
        <source>API key — {profile}</source>
        <translation>API 密钥 — {profile}</translation>
    </message>
    <message>
        <source>Looking for a stored key…</source>
        <translation>正在查找已保存的密钥…</translation>
    </message>
    <message>
        <source>Paste the API key for &lt;b&gt;{name}&lt;/b&gt; (&lt;code&gt;{url}&lt;/code&gt;). It is checked with the server before it is saved. Create keys in your Get3W account.</source>
        <translation>粘贴 &lt;b&gt;{name}&lt;/b&gt;（&lt;code&gt;{url}&lt;/code&gt;）的 API 密钥。保存前会先向服务器验证。可在你的 Get3W 账户中创建密钥。</translation>
    </message>
    <message>
        <source>API key</source>
        <translation>API 密钥</translation>
    </message>
    <message>
        <source>Your key is masked; use Show to check what you pasted.</source>
        <translation>密钥已隐藏；点击“显示”可检查粘贴的内容。</translation>
    </message>
    <message>
        <source>Show</source>
        <translation>显示</translation>
    </message>
    <message>
        <source>Show or hide the key (Alt+S)</source>
        <translation>显示或隐藏密钥（Alt+S）</translation>
    </message>
    <message>
        <source>Show the key</source>
        <translation>显示密钥</translation>
    </message>
    <message>
        <source>&amp;API key:</source>
        <translation>API 密钥(&amp;A)：</translation>
    </message>
    <message>
        <source>Stored key:</source>
        <translation>已保存的密钥：</translation>
    </message>
    <message>
        <source>Kept in:</source>
        <translation>保存位置：</translation>
    </message>
    <message>
        <source>Working</source>
        <translation>处理中</translation>
    </message>
    <message>
        <source>Check and &amp;save</source>
        <translation>验证并保存(&amp;S)</translation>
    </message>
    <message>
        <source>Ask the server whether the key works, then store it.</source>
        <translation>向服务器确认密钥可用，然后保存。</translation>
    </message>
    <message>
        <source>Save &amp;without checking</source>
        <translation>不验证直接保存(&amp;W)</translation>
    </message>
    <message>
        <source>The server could not be reached; store it anyway.</source>
        <translation>无法连接服务器；仍然保存。</translation>
    </message>
    <message>
        <source>&amp;Remove key</source>
        <translation>删除密钥(&amp;R)</translation>
    </message>
    <message>
        <source>Forget the stored key on this computer.</source>
        <translation>在这台电脑上删除已保存的密钥。</translation>
    </message>
    <message>
        <source>{where}, encrypted (secure)</source>
        <translation>{where}，已加密（安全）</translation>
    </message>
    <message>
        <source>Memory, for this session only (not secure: no usable keyring)</source>
        <translation>内存，仅限本次会话（不安全：没有可用的密钥环）</translation>
    </message>
    <message>
        <source>Keyring backend (for experts):</source>
        <translation>密钥环后端（供专业人员参考）：</translation>
    </message>
    <message>
        <source>none</source>
        <translation>无</translation>
    </message>
    <message>
        <source>Hide</source>
        <translation>隐藏</translation>
    </message>
    <message>
        <source>Checking the key with {url}…</source>
        <translation>正在通过 {url} 验证密钥…</translation>
    </message>
    <message>
        <source>Saving the key…</source>
        <translation>正在保存密钥…</translation>
    </message>
    <message>
        <source>Removing the key…</source>
        <translation>正在删除密钥…</translation>
    </message>
    <message>
        <source>{result} Saving…</source>
        <translation>{result} 正在保存…</translation>
    </message>
    <message>
        <source>{result} Nothing was saved.</source>
        <translation>{result} 未保存任何内容。</translation>
    </message>
    <message>
        <source>{result} Nothing was saved yet.</source>
        <translation>{result} 尚未保存任何内容。</translation>
    </message>
    <message>
        <source>Saved.</source>
        <translation>已保存。</translation>
    </message>
    <message>
        <source>The key was removed.</source>
        <translation>密钥已删除。</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>关闭</translation>
    </message>
</context>
<context>
    <name>KeyringWords</name>
    <message>
        <source>Secret Service (GNOME Keyring or KWallet)</source>
        <translation>Secret Service（GNOME 密钥环或 KWallet）</translation>
    </message>
    <message>
        <source>Secret Service (GNOME Keyring)</source>
        <translation>Secret Service（GNOME 密钥环）</translation>
    </message>
    <message>
        <source>KWallet</source>
        <translation>KWallet</translation>
    </message>
    <message>
        <source>macOS Keychain</source>
        <translation>macOS 钥匙串</translation>
    </message>
    <message>
        <source>Windows Credential Manager</source>
        <translation>Windows 凭据管理器</translation>
    </message>
    <message>
        <source>the system keyring</source>
        <translation>系统密钥环</translation>
    </message>
    <message>
        <source>no keyring available</source>
        <translation>没有可用的密钥环</translation>
    </message>
    <message>
        <source>a plain-text file (not secure)</source>
        <translation>明文文件（不安全）</translation>
    </message>
    <message>
        <source>memory, for this session only</source>
        <translation>内存，仅限本次会话</translation>
    </message>
    <message>
        <source>an unrecognised keyring</source>
        <translation>无法识别的密钥环</translation>
    </message>
    <message>
        <source>No secure keyring ({keyring}): install or unlock GNOME Keyring or KWallet (on Linux) so the key can be remembered. The key is kept for this session only.</source>
        <translation>没有安全的密钥环（{keyring}）：请安装或解锁 GNOME 密钥环或 KWallet（Linux 上），以便记住密钥。密钥仅在本次会话中保留。</translation>
    </message>
    <message>
        <source>No secure keyring: install or unlock GNOME Keyring or KWallet (on Linux) so the key can be remembered. The key is kept for this session only.</source>
        <translation>没有安全的密钥环：请安装或解锁 GNOME 密钥环或 KWallet（Linux 上），以便记住密钥。密钥仅在本次会话中保留。</translation>
    </message>
    <message>
        <source>The keyring is locked, or its unlock prompt was dismissed. Unlock it (for example, log in to your desktop session) and try again; until then the key is kept for this session only.</source>
        <translation>密钥环已锁定，或解锁提示被关闭。请解锁（例如登录桌面会话）后重试；在此之前，密钥仅在本次会话中保留。</translation>
    </message>
    <message>
        <source>The keyring did not answer (an unlock prompt may be waiting). The key is kept for this session only; try again later.</source>
        <translation>密钥环没有响应（可能有解锁提示在等待）。密钥仅在本次会话中保留，请稍后重试。</translation>
    </message>
    <message>
        <source>The keyring refused to store the key. The key is kept for this session only.</source>
        <translation>密钥环拒绝保存密钥。密钥仅在本次会话中保留。</translation>
    </message>
    <message>
        <source>The key is kept for this session only.</source>
        <translation>密钥仅在本次会话中保留。</translation>
    </message>
</context>
<context>
    <name>LoraListField</name>
    <message>
        <source>No LoRA: the base model alone.</source>
        <translation>未使用 LoRA：仅使用基础模型。</translation>
    </message>
    <message>
        <source>Add LoRA</source>
        <translation>添加 LoRA</translation>
    </message>
    <message>
        <source>Add {path}</source>
        <translation>添加 {path}</translation>
    </message>
    <message>
        <source>Add suggested LoRA {path}</source>
        <translation>添加推荐的 LoRA {path}</translation>
    </message>
    <message>
        <source>Suggested (click to add):</source>
        <translation>推荐（点击添加）：</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <source>Get3W Desktop</source>
        <translation>Get3W Desktop</translation>
    </message>
    <message>
        <source>&amp;Generate</source>
        <translation>生成(&amp;G)</translation>
    </message>
    <message>
        <source>&amp;Batch…</source>
        <translation>批量(&amp;B)…</translation>
    </message>
    <message>
        <source>&amp;Compare models or seeds…</source>
        <translation>比较模型或种子(&amp;C)…</translation>
    </message>
    <message>
        <source>&amp;Find a model…</source>
        <translation>查找模型(&amp;F)…</translation>
    </message>
    <message>
        <source>Find a &amp;task…</source>
        <translation>查找任务(&amp;T)…</translation>
    </message>
    <message>
        <source>&amp;Open output</source>
        <translation>打开输出(&amp;O)</translation>
    </message>
    <message>
        <source>&amp;Save output as…</source>
        <translation>输出另存为(&amp;S)…</translation>
    </message>
    <message>
        <source>Save &amp;all outputs to a folder…</source>
        <translation>将全部输出保存到文件夹(&amp;A)…</translation>
    </message>
    <message>
        <source>&amp;Copy image</source>
        <translation>复制图像(&amp;C)</translation>
    </message>
    <message>
        <source>API &amp;key…</source>
        <translation>API 密钥(&amp;K)…</translation>
    </message>
    <message>
        <source>&amp;Settings…</source>
        <translation>设置(&amp;S)…</translation>
    </message>
    <message>
        <source>S&amp;pending…</source>
        <translation>支出(&amp;P)…</translation>
    </message>
    <message>
        <source>Save &amp;diagnostics…</source>
        <translation>保存诊断信息(&amp;D)…</translation>
    </message>
    <message>
        <source>Copy as c&amp;url</source>
        <translation>复制为 c&amp;url 命令</translation>
    </message>
    <message>
        <source>Copy as &amp;Python</source>
        <translation>复制为 &amp;Python 代码</translation>
    </message>
    <message>
        <source>Copy output &amp;URL</source>
        <translation>复制输出 &amp;URL</translation>
    </message>
    <message>
        <source>Copy task &amp;id</source>
        <translation>复制任务 ID(&amp;I)</translation>
    </message>
    <message>
        <source>&amp;Re-run</source>
        <translation>重新运行(&amp;R)</translation>
    </message>
    <message>
        <source>&amp;Load parameters into the form</source>
        <translation>将参数载入表单(&amp;L)</translation>
    </message>
    <message>
        <source>&amp;Stop waiting</source>
        <translation>停止等待(&amp;S)</translation>
    </message>
    <message>
        <source>Re&amp;move from list</source>
        <translation>从列表中移除(&amp;M)</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>退出(&amp;Q)</translation>
    </message>
    <message>
        <source>&amp;About Get3W Desktop</source>
        <translation>关于 Get3W Desktop(&amp;A)</translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation>文件(&amp;F)</translation>
    </message>
    <message>
        <source>&amp;Task</source>
        <translation>任务(&amp;T)</translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation>视图(&amp;V)</translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation>帮助(&amp;H)</translation>
    </message>
    <message numerus="yes">
        <source>%n new model(s)</source>
        <translation>
            <numerusform>%n 个新模型</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n no longer offered</source>
        <translation>
            <numerusform>%n 个不再提供</numerusform>
        </translation>
    </message>
    <message>
        <source>Model list updated: {changes}.</source>
        <translation>模型列表已更新：{changes}。</translation>
    </message>
    <message>
        <source>{count} running</source>
        <translation>{count} 个运行中</translation>
    </message>
    <message>
        <source>Settings from the comparison are in the form</source>
        <translation>比较中的设置已填入表单</translation>
    </message>
    <message>
        <source>Account balance</source>
        <translation>账户余额</translation>
    </message>
    <message>
        <source>Sandbox credit {amount}</source>
        <translation>沙盒额度 {amount}</translation>
    </message>
    <message>
        <source>Balance {amount}</source>
        <translation>余额 {amount}</translation>
    </message>
    <message>
        <source>Account balance, refreshed after each task</source>
        <translation>账户余额，每个任务结束后刷新</translation>
    </message>
    <message>
        <source>Balance not updated: {reason}</source>
        <translation>余额未更新：{reason}</translation>
    </message>
    <message>
        <source>Parameters loaded into the form</source>
        <translation>参数已载入表单</translation>
    </message>
    <message>
        <source>Remove tasks</source>
        <translation>移除任务</translation>
    </message>
    <message>
        <source>Remove {count} tasks from the list and the history? Saved copies stay where you saved them.</source>
        <translation>要从列表和历史记录中移除 {count} 个任务吗？已另存的副本会保留在原处。</translation>
    </message>
    <message>
        <source>About Get3W Desktop</source>
        <translation>关于 Get3W Desktop</translation>
    </message>
    <message>
        <source>A desktop client for the Get3W API.</source>
        <translation>Get3W API 的桌面客户端。</translation>
    </message>
</context>
<context>
    <name>Media</name>
    <message>
        <source>a video</source>
        <translation>视频</translation>
    </message>
    <message>
        <source>video</source>
        <translation>视频</translation>
    </message>
    <message>
        <source>videos</source>
        <translation>视频</translation>
    </message>
    <message>
        <source>an audio file</source>
        <translation>音频文件</translation>
    </message>
    <message>
        <source>audio file</source>
        <translation>音频文件</translation>
    </message>
    <message>
        <source>audio files</source>
        <translation>音频文件</translation>
    </message>
    <message>
        <source>an image</source>
        <translation>图像</translation>
    </message>
    <message>
        <source>image</source>
        <translation>图像</translation>
    </message>
    <message>
        <source>images</source>
        <translation>图像</translation>
    </message>
    <message>
        <source>All files (*)</source>
        <translation>所有文件 (*)</translation>
    </message>
    <message>
        <source>{title}: “{value}” is not a complete web address.</source>
        <translation>{title}：“{value}”不是完整的网址。</translation>
    </message>
    <message>
        <source>{title}: paste a web address (https://…) or choose a file.</source>
        <translation>{title}：请粘贴网址（https://…）或选择文件。</translation>
    </message>
    <message>
        <source>{title}: “{name}” can&apos;t be found; it may have been moved or deleted.</source>
        <translation>{title}：找不到“{name}”，它可能已被移动或删除。</translation>
    </message>
    <message>
        <source>{title}: “{name}” is not {a_kind}.</source>
        <translation>{title}：“{name}”不是{a_kind}。</translation>
    </message>
    <message>
        <source>{title}: “{name}” is {size}; at most {limit} MB is allowed.</source>
        <translation>{title}：“{name}”大小为 {size}；最大允许 {limit} MB。</translation>
    </message>
    <message>
        <source>a 3D model</source>
        <translation>3D 模型</translation>
    </message>
    <message>
        <source>a text file</source>
        <translation>文本文件</translation>
    </message>
    <message>
        <source>This field takes {a_kind}; “{name}” is not one.</source>
        <translation>此字段需要{a_kind}；“{name}”不是。</translation>
    </message>
    <message>
        <source>This field takes {a_kind}; “{name}” is {a_given}.</source>
        <translation>此字段需要{a_kind}；“{name}”是{a_given}。</translation>
    </message>
    <message>
        <source>The clipboard holds no file, picture or link to use as {a_kind}.</source>
        <translation>剪贴板中没有可用作{a_kind}的文件、图片或链接。</translation>
    </message>
</context>
<context>
    <name>MediaChip</name>
    <message>
        <source>File not found</source>
        <translation>找不到文件</translation>
    </message>
    <message>
        <source>Embedded {kind}</source>
        <translation>内嵌{kind}</translation>
    </message>
    <message>
        <source>{size} inline</source>
        <translation>内嵌 {size}</translation>
    </message>
    <message>
        <source>Link · {host}</source>
        <translation>链接 · {host}</translation>
    </message>
    <message>
        <source>Link</source>
        <translation>链接</translation>
    </message>
    <message>
        <source>Remove {name}</source>
        <translation>移除 {name}</translation>
    </message>
</context>
<context>
    <name>MediaListField</name>
    <message>
        <source>Only {limit} {many} fit; {left_out} left out.</source>
        <translation>最多只能放 {limit} 个{many}；有 {left_out} 个未加入。</translation>
    </message>
    <message>
        <source>That&apos;s the most this model takes ({limit} {many}).</source>
        <translation>已达到此模型的上限（{limit} 个{many}）。</translation>
    </message>
    <message>
        <source>{count} of {limit} {many} · add more:</source>
        <translation>{count}/{limit} 个{many} · 继续添加：</translation>
    </message>
    <message>
        <source>{count} {what} · add more:</source>
        <translation>{count} 个{what} · 继续添加：</translation>
    </message>
    <message>
        <source>Drop {what} here, or</source>
        <translation>将{what}拖放到这里，或</translation>
    </message>
    <message>
        <source>Add at least one {one}.</source>
        <translation>请至少添加一个{one}。</translation>
    </message>
    <message>
        <source>Add at least {low} {many}.</source>
        <translation>请至少添加 {low} 个{many}。</translation>
    </message>
    <message>
        <source>{title}: at most {high} {many}, please (there are {count}).</source>
        <translation>{title}：最多 {high} 个{many}（当前有 {count} 个）。</translation>
    </message>
</context>
<context>
    <name>MediaPlayerView</name>
    <message>
        <source>Position</source>
        <extracomment>The last picture shown, kept on screen when the video ends (not a black frame).</extracomment>
        <translation>播放位置</translation>
    </message>
    <message>
        <source>Volume</source>
        <translation>音量</translation>
    </message>
    <message>
        <source>Pause (Space)</source>
        <translation>暂停（空格）</translation>
    </message>
    <message>
        <source>Play (Space)</source>
        <translation>播放（空格）</translation>
    </message>
    <message>
        <source>Unmute</source>
        <translation>取消静音</translation>
    </message>
    <message>
        <source>Mute</source>
        <translation>静音</translation>
    </message>
    <message>
        <source>No sound output found; the file is fine — save it or open it with another player.</source>
        <translation>找不到声音输出设备；文件本身没有问题——可以保存它，或用其他播放器打开。</translation>
    </message>
    <message>
        <source>This file cannot be played here: {reason}. Try Open.</source>
        <translation>无法在此播放该文件：{reason}。请尝试“打开”。</translation>
    </message>
    <message>
        <source>unknown format</source>
        <translation>未知格式</translation>
    </message>
</context>
<context>
    <name>Messages</name>
    <message>
        <source>{reason} Retrying in {seconds} s.</source>
        <translation>{reason} {seconds} 秒后重试。</translation>
    </message>
    <message>
        <source>Waiting for the network.</source>
        <translation>正在等待网络。</translation>
    </message>
    <message>
        <source>Rate limited.</source>
        <translation>请求过于频繁，已被限速。</translation>
    </message>
    <message>
        <source>Slower than usual; still checking.</source>
        <translation>比平时慢，仍在查询。</translation>
    </message>
    <message>
        <source>Running, but the history could not be saved: {reason}</source>
        <translation>正在运行，但无法保存到历史记录：{reason}</translation>
    </message>
    <message>
        <source>Not sent: the task could not be written to the history ({reason}). Nothing was charged. Free some disk space, then re-run it.</source>
        <translation>未发送：无法将任务写入历史记录（{reason}）。未产生任何费用。请释放一些磁盘空间后重新运行。</translation>
    </message>
    <message>
        <source>Not sent: {reason} Nothing was charged.</source>
        <translation>未发送：{reason} 未产生任何费用。</translation>
    </message>
    <message>
        <source>The server no longer knows this task (Get3W keeps task records 30 days).</source>
        <translation>服务器已不再保留此任务（Get3W 仅保留任务记录 30 天）。</translation>
    </message>
    <message>
        <source>An unexpected error stopped this task. Details are in the log.</source>
        <translation>一个意外错误中止了此任务。详情请查看日志。</translation>
    </message>
    <message>
        <source>Stopped before every output was saved.</source>
        <translation>在所有输出保存完成之前已停止。</translation>
    </message>
    <message>
        <source>The task may have been created (and charged), but its answer was lost. It was not sent again. Check your Get3W history before retrying.</source>
        <translation>任务可能已创建（并已扣费），但服务器的回复丢失了。任务未被重新发送。重试前请先查看您的 Get3W 历史记录。</translation>
    </message>
    <message>
        <source>An output could not be saved: {reason}</source>
        <translation>有输出未能保存：{reason}</translation>
    </message>
    <message>
        <source>The content was flagged by moderation.</source>
        <translation>内容未通过审核。</translation>
    </message>
    <message>
        <source>A required parameter is missing.</source>
        <translation>缺少必填参数。</translation>
    </message>
    <message>
        <source>A parameter is invalid.</source>
        <translation>有参数无效。</translation>
    </message>
    <message>
        <source>A media URL could not be reached.</source>
        <translation>无法访问某个媒体网址。</translation>
    </message>
    <message>
        <source>The task failed.</source>
        <translation>任务失败。</translation>
    </message>
    <message>
        <source>Internal error while generating.</source>
        <translation>生成时发生内部错误。</translation>
    </message>
    <message>
        <source>The model is temporarily unavailable.</source>
        <translation>该模型暂时不可用。</translation>
    </message>
    <message>
        <source>The generation timed out.</source>
        <translation>生成超时。</translation>
    </message>
    <message>
        <source>The API key is malformed: it contains a line break. Nothing was sent.</source>
        <translation>API 密钥格式不正确：其中含有换行符。没有发送任何内容。请重新粘贴密钥（在“设置”中，或检查 GET3W_API_KEY）。</translation>
    </message>
    <message>
        <source>The API key is malformed: it contains spaces or characters that are not plain ASCII letters and digits. Nothing was sent.</source>
        <translation>API 密钥格式不正确：其中含有空格，或不是普通 ASCII 字母和数字的字符。没有发送任何内容。请重新粘贴密钥（在“设置”中，或检查 GET3W_API_KEY）。</translation>
    </message>
    <message>
        <source>{host} sent an answer larger than expected (over {max_bytes} bytes); refused.</source>
        <translation>{host} 发来的回答超出预期大小（超过 {max_bytes} 字节），已拒绝。</translation>
    </message>
    <message>
        <source>{host} is answering too slowly; gave up.</source>
        <translation>{host} 响应太慢，已放弃。</translation>
    </message>
    <message>
        <source>Could not talk to {host}.</source>
        <translation>无法与 {host} 通信。</translation>
    </message>
    <message>
        <source>The connection to {host} broke while reading the answer.</source>
        <translation>读取回答时，与 {host} 的连接中断了。</translation>
    </message>
    <message>
        <source>{host} sent a malformed redirect; the client does not follow API redirects.</source>
        <translation>{host} 发来了格式错误的重定向；客户端不会跟随 API 重定向。</translation>
    </message>
    <message>
        <source>Could not connect to {host} (timed out).</source>
        <translation>无法连接到 {host}（超时）。</translation>
    </message>
    <message>
        <source>{host} did not answer in time.</source>
        <translation>{host} 未能及时响应。</translation>
    </message>
    <message>
        <source>Could not find {host}: check the address and your internet connection.</source>
        <translation>找不到 {host}：请检查地址和网络连接。</translation>
    </message>
    <message>
        <source>Could not connect to {host}: it refused the connection or is unreachable.</source>
        <translation>无法连接到 {host}：对方拒绝了连接，或无法访问。</translation>
    </message>
    <message>
        <source>The secure connection to {host} failed (certificate or TLS problem).</source>
        <translation>与 {host} 的安全连接失败（证书或 TLS 问题）。</translation>
    </message>
    <message>
        <source>The connection to {host} was lost before an answer arrived.</source>
        <translation>在收到回答之前，与 {host} 的连接已断开。</translation>
    </message>
    <message>
        <source>{host} refused the API key. Check the key in Settings.</source>
        <translation>{host} 拒绝了 API 密钥。请在“设置”中检查密钥。</translation>
    </message>
    <message>
        <source>Your Get3W balance is too low for this task. Top up your account, then try again.</source>
        <translation>您的 Get3W 余额不足以运行此任务。请为账户充值后重试。</translation>
    </message>
    <message>
        <source>Get3W rejected the parameters.</source>
        <translation>Get3W 拒绝了这些参数。</translation>
    </message>
    <message>
        <source>The server does not know what was asked.</source>
        <translation>服务器找不到所请求的内容。</translation>
    </message>
    <message>
        <source>Get3W is limiting requests (too many tasks at once).</source>
        <translation>Get3W 正在限制请求（同时运行的任务太多）。</translation>
    </message>
    <message>
        <source>{host} redirected the request elsewhere; the client does not follow it.</source>
        <translation>{host} 把请求重定向到了别处；客户端不会跟随。</translation>
    </message>
    <message>
        <source>{host} had a problem answering (HTTP {status}). This is usually temporary.</source>
        <translation>{host} 响应时出现问题（HTTP {status}）。这通常是暂时的。</translation>
    </message>
    <message>
        <source>The server sent an unreadable answer.</source>
        <translation>服务器发来的回答无法读取。</translation>
    </message>
    <message>
        <source>The server sent an unexpected answer (not a JSON object).</source>
        <translation>服务器发来了意外的回答（不是 JSON 对象）。</translation>
    </message>
    <message>
        <source>Key accepted; balance {balance}.</source>
        <translation>密钥有效；余额 {balance}。</translation>
    </message>
    <message>
        <source>Key accepted; the account has no balance.</source>
        <translation>密钥有效；账户没有余额。</translation>
    </message>
    <message>
        <source>Key accepted (this server does not report a balance).</source>
        <translation>密钥有效（此服务器不提供余额）。</translation>
    </message>
    <message>
        <source>{host} refused this key. Check that the whole key was pasted, or create a new one.</source>
        <translation>{host} 拒绝了此密钥。请确认粘贴了完整的密钥，或新建一个密钥。</translation>
    </message>
    <message>
        <source>No key was given.</source>
        <translation>没有输入密钥。</translation>
    </message>
    <message>
        <source>The key could not be checked with {host}: {reason}</source>
        <translation>无法通过 {host} 检查密钥：{reason}</translation>
    </message>
    <message>
        <source>The disk is full: could not save into {folder}. Free some space, then retry.</source>
        <translation>磁盘已满：无法保存到 {folder}。请释放一些空间后重试。</translation>
    </message>
    <message>
        <source>Cannot write into {folder} (read-only or no permission). Choose another folder.</source>
        <translation>无法写入 {folder}（只读或没有权限）。请选择其他文件夹。</translation>
    </message>
    <message>
        <source>The path {folder} is too long for this file system.</source>
        <translation>路径 {folder} 对此文件系统来说过长。</translation>
    </message>
    <message>
        <source>Could not save into {folder} (the system reported an error).</source>
        <translation>无法保存到 {folder}（系统报告了一个错误）。</translation>
    </message>
    <message>
        <source>Not saved: an unexpected error. Details are in the log.</source>
        <translation>未保存：发生了意外错误，详情已写入日志。</translation>
    </message>
    <message>
        <source>The task history could not be read. Details are in the log.</source>
        <translation>无法读取任务历史，详情已写入日志。</translation>
    </message>
    <message>
        <source>The task history could not be saved. Details are in the log.</source>
        <translation>无法保存任务历史，详情已写入日志。</translation>
    </message>
    <message>
        <source>The key could not be removed from the keyring. {problem}</source>
        <translation>无法从密钥环中删除密钥。{problem}</translation>
    </message>
    <message>
        <source>Something went wrong handling the key (see the log).</source>
        <translation>处理密钥时出了问题（详情见日志）。</translation>
    </message>
    <message>
        <source>The keyring is locked: unlock it, then try again.</source>
        <translation>密钥环已锁定：请先解锁，然后重试。</translation>
    </message>
    <message>
        <source>The keyring refused the request (details are in the log).</source>
        <translation>密钥环拒绝了此请求（详情见日志）。</translation>
    </message>
    <message>
        <source>The keyring did not answer in time (an unlock prompt may be waiting).</source>
        <translation>密钥环未能及时响应（可能有解锁提示正在等待）。</translation>
    </message>
    <message>
        <source>The bill could not be read: {reason}</source>
        <translation>无法读取账单：{reason}</translation>
    </message>
    <message>
        <source>The bill could not be read (see the log).</source>
        <translation>无法读取账单（详情见日志）。</translation>
    </message>
    <message>
        <source>The price could not be read.</source>
        <translation>无法读取价格。</translation>
    </message>
    <message>
        <source>This model has no published price.</source>
        <translation>此模型没有公布价格。</translation>
    </message>
    <message>
        <source>an unexpected error (see the log)</source>
        <translation>发生了意外错误（详情见日志）</translation>
    </message>
    <message>
        <source>Stopped before it started; nothing was changed.</source>
        <translation>在开始前已停止；没有做任何更改。</translation>
    </message>
    <message>
        <source>Stopped before it finished; nothing was changed.</source>
        <translation>在完成前已停止；没有做任何更改。</translation>
    </message>
    <message>
        <source>Housekeeping failed unexpectedly. Details are in the log.</source>
        <translation>整理操作意外失败，详情已写入日志。</translation>
    </message>
    <message>
        <source>The folder {folder} does not exist (or is not a folder).</source>
        <translation>文件夹 {folder} 不存在（或不是文件夹）。</translation>
    </message>
    <message>
        <source>Not enough space in {folder}: the export needs {needed} and {free} is free. Free some space or choose another folder.</source>
        <translation>{folder} 空间不足：导出需要 {needed}，可用空间为 {free}。请释放一些空间或选择其他文件夹。</translation>
    </message>
    <message>
        <source>Could not find a free name for the export in {folder}.</source>
        <translation>无法在 {folder} 中为导出找到可用的名称。</translation>
    </message>
    <message>
        <source>Nothing was deleted locally: {reason}</source>
        <translation>本地未删除任何内容：{reason}</translation>
    </message>
    <message>
        <source>Nothing was cleaned up: {reason}</source>
        <translation>未清理任何内容：{reason}</translation>
    </message>
    <message>
        <source>{name} could not be deleted (the system reported an error).</source>
        <translation>无法删除 {name}（系统报告了一个错误）。</translation>
    </message>
    <message>
        <source>{count} task(s) kept because the server could not delete them: {reason}</source>
        <translation>{count} 个任务被保留，因为服务器无法删除它们：{reason}</translation>
    </message>
    <message>
        <source>{count} task(s) kept because it was stopped before they were deleted on the server.</source>
        <translation>{count} 个任务被保留，因为操作在服务器删除它们之前已停止。</translation>
    </message>
    <message>
        <source>{count} task(s) kept because they belong to {names}: switch to it to delete them on the server.</source>
        <translation>{count} 个任务被保留，因为它们属于 {names}：请切换到该配置后再在服务器上删除。</translation>
    </message>
    <message>
        <source>This server does not offer deleting tasks.</source>
        <translation>此服务器不提供删除任务的功能。</translation>
    </message>
    <message>
        <source>The disk is full: the export into {folder} was not saved (nothing was left behind). Free some space or choose another folder.</source>
        <translation>磁盘已满：导出到 {folder} 的内容未保存（未留下任何残余文件）。请释放一些空间或选择其他文件夹。</translation>
    </message>
    <message>
        <source>{folder} is not a folder that can be written to. Choose another folder.</source>
        <translation>{folder} 不是可写入的文件夹。请选择其他文件夹。</translation>
    </message>
    <message>
        <source>Could not export into {folder} (the system reported an error).</source>
        <translation>无法导出到 {folder}（系统报告了一个错误）。</translation>
    </message>
    <message>
        <source>The file is missing: it may have been moved or deleted.</source>
        <translation>文件不见了：它可能已被移动或删除。</translation>
    </message>
    <message>
        <source>This file is not an image this app can show.</source>
        <translation>此文件不是本应用能显示的图片。</translation>
    </message>
    <message>
        <source>The image is damaged or incomplete and cannot be shown.</source>
        <translation>图片已损坏或不完整，无法显示。</translation>
    </message>
    <message>
        <source>This image is too large to preview ({width} × {height} pixels). Open it in another app.</source>
        <translation>此图片太大，无法预览（{width} × {height} 像素）。请用其他应用打开。</translation>
    </message>
    <message>
        <source>This file cannot be shown. Details are in the log.</source>
        <translation>无法显示此文件，详情已写入日志。</translation>
    </message>
    <message>
        <source> Retrying in {seconds} s.</source>
        <extracomment>Appended when a wait note knows when it retries.</extracomment>
        <translation> {seconds} 秒后重试。</translation>
    </message>
    <message>
        <source>Stopped before this check.</source>
        <translation>在此项检查之前已停止。</translation>
    </message>
    <message>
        <source>Not checked: an earlier check failed.</source>
        <translation>未检查：之前的检查失败了。</translation>
    </message>
    <message>
        <source>This check failed unexpectedly. Details are in the log.</source>
        <translation>此项检查意外失败，详情已写入日志。</translation>
    </message>
    <message>
        <source>The test could not run; the log has the details.</source>
        <translation>测试无法运行，详情已写入日志。</translation>
    </message>
    <message>
        <source>Everything works: {target} answered every check.</source>
        <translation>一切正常：{target} 通过了每一项检查。</translation>
    </message>
    <message>
        <source>The proxy {host}</source>
        <translation>代理 {host}</translation>
    </message>
    <message>
        <source>the name {host}</source>
        <translation>名称 {host}</translation>
    </message>
    <message>
        <source>the proxy&apos;s name {host}</source>
        <translation>代理的名称 {host}</translation>
    </message>
    <message>
        <source>Check the address, your internet connection or proxy settings.</source>
        <translation>请检查地址、网络连接或代理设置。</translation>
    </message>
    <message>
        <source>Check the proxy address in the profile&apos;s settings.</source>
        <translation>请在配置的设置中检查代理地址。</translation>
    </message>
    <message>
        <source>Check the address and port.</source>
        <translation>请检查地址和端口。</translation>
    </message>
    <message>
        <source>Check the proxy address and port.</source>
        <translation>请检查代理地址和端口。</translation>
    </message>
    <message>
        <source>{url}, direct connection.</source>
        <translation>{url}，直接连接。</translation>
    </message>
    <message>
        <source>{url}, through the proxy {proxy}.</source>
        <translation>{url}，通过代理 {proxy}。</translation>
    </message>
    <message>
        <source>The proxy setting is not usable: {problem}</source>
        <translation>代理设置无法使用：{problem}</translation>
    </message>
    <message>
        <source>The system proxy {proxy} is not usable: {problem}</source>
        <translation>系统代理 {proxy} 无法使用：{problem}</translation>
    </message>
    <message>
        <source>{who} is a numeric address: nothing to look up.</source>
        <translation>{who} 是数字地址，无需解析。</translation>
    </message>
    <message>
        <source>{who} is at {addresses}.</source>
        <translation>{who} 的地址是 {addresses}。</translation>
    </message>
    <message>
        <source>{what} could not be looked up right now (DNS: no answer). Check your internet connection.</source>
        <translation>暂时无法解析{what}（DNS：没有应答）。请检查网络连接。</translation>
    </message>
    <message>
        <source>{what} could not be found (DNS). {fix}</source>
        <translation>找不到{what}（DNS）。{fix}</translation>
    </message>
    <message>
        <source>Looking up {what} failed (DNS). {fix}</source>
        <translation>解析{what} 失败（DNS）。{fix}</translation>
    </message>
    <message>
        <source>Connected to {who} on port {port}.</source>
        <translation>已连接到 {who} 的端口 {port}。</translation>
    </message>
    <message>
        <source>{who} refused the connection on port {port} (TCP): nothing is listening there, or a firewall blocks it. {fix}</source>
        <translation>{who} 拒绝了端口 {port} 上的连接（TCP）：那里没有程序在监听，或被防火墙拦截。{fix}</translation>
    </message>
    <message>
        <source>{who} did not answer on port {port} within {seconds} s (TCP). A firewall may be blocking it, or the network is down.</source>
        <translation>{who} 在 {seconds} 秒内没有在端口 {port} 上应答（TCP）。可能被防火墙拦截，或网络已断开。</translation>
    </message>
    <message>
        <source>{who} cannot be reached from this computer (TCP: no route). {fix}</source>
        <translation>从这台电脑无法到达 {who}（TCP：没有路由）。{fix}</translation>
    </message>
    <message>
        <source>Could not connect to {who} on port {port} (TCP; the system reported an error).</source>
        <translation>无法连接到 {who} 的端口 {port}（TCP；系统报告了一个错误）。</translation>
    </message>
    <message>
        <source>The SOCKS handshake is checked with the web request below.</source>
        <translation>SOCKS 握手会在下面的网页请求中一并检查。</translation>
    </message>
    <message>
        <source>Plain HTTP goes to the proxy as it is; no tunnel is needed.</source>
        <translation>普通 HTTP 请求直接发给代理，无需隧道。</translation>
    </message>
    <message>
        <source>The proxy: {reason}</source>
        <translation>代理：{reason}</translation>
    </message>
    <message>
        <source>The proxy {proxy} broke off while opening a tunnel to {host}.</source>
        <translation>代理 {proxy} 在建立到 {host} 的隧道时中断了连接。</translation>
    </message>
    <message>
        <source>The proxy {proxy} asks for a user name and password (HTTP 407). Write them in the proxy address, e.g. http://user:password@host:port.</source>
        <translation>代理 {proxy} 要求提供用户名和密码（HTTP 407）。请把它们写在代理地址中，例如 http://user:password@host:port</translation>
    </message>
    <message>
        <source>The proxy {proxy} refused the user name or password (HTTP 407).</source>
        <translation>代理 {proxy} 拒绝了用户名或密码（HTTP 407）。</translation>
    </message>
    <message>
        <source>The proxy {proxy} would not connect to {target} (HTTP {status}). The proxy may block this address.</source>
        <translation>代理 {proxy} 不肯连接到 {target}（HTTP {status}）。代理可能屏蔽了这个地址。</translation>
    </message>
    <message>
        <source>The proxy opened a tunnel to {target}.</source>
        <translation>代理已打开到 {target} 的隧道。</translation>
    </message>
    <message>
        <source>Plain HTTP to this computer: no encryption is needed.</source>
        <translation>连接的是这台电脑上的普通 HTTP：无需加密。</translation>
    </message>
    <message>
        <source>{host} proved its identity ({version}).</source>
        <translation>{host} 证明了自己的身份（{version}）。</translation>
    </message>
    <message>
        <source>The secure connection to {host} is not trusted (TLS): {reason}.{hint}</source>
        <translation>与 {host} 的安全连接不可信（TLS）：{reason}。{hint}</translation>
    </message>
    <message>
        <source> A company network that inspects traffic can cause this.</source>
        <translation>会检查流量的公司网络可能导致这种情况。</translation>
    </message>
    <message>
        <source>its certificate is not valid yet. Check this computer&apos;s date and time</source>
        <translation>它的证书尚未生效。请检查这台电脑的日期和时间</translation>
    </message>
    <message>
        <source>its certificate has expired. If this computer&apos;s date is right, the server must renew its certificate</source>
        <translation>它的证书已过期。如果这台电脑的日期正确，则服务器需要更新证书</translation>
    </message>
    <message>
        <source>its certificate is self-signed, so nobody vouches for it</source>
        <translation>它的证书是自签名的，没有任何机构为它担保</translation>
    </message>
    <message>
        <source>its certificate chain ends in an authority this computer does not trust</source>
        <translation>它的证书链最终指向一个这台电脑不信任的颁发机构</translation>
    </message>
    <message>
        <source>its certificate comes from an authority this computer does not trust</source>
        <translation>它的证书来自一个这台电脑不信任的颁发机构</translation>
    </message>
    <message>
        <source>its certificate could not be checked against a trusted authority</source>
        <translation>无法用受信任的颁发机构验证它的证书</translation>
    </message>
    <message>
        <source>its certificate is for another name</source>
        <translation>它的证书是颁发给另一个名称的</translation>
    </message>
    <message>
        <source>its certificate failed the check</source>
        <translation>它的证书未通过验证</translation>
    </message>
    <message>
        <source>{host} did not answer in TLS (TLS: {reason}). Is the address http:// rather than https://, or the port wrong?</source>
        <translation>{host} 没有用 TLS 应答（TLS：{reason}）。地址是否应为 http:// 而不是 https://，或者端口有误？</translation>
    </message>
    <message>
        <source>The secure connection to {host} failed (TLS: {reason}).</source>
        <translation>与 {host} 的安全连接失败（TLS：{reason}）。</translation>
    </message>
    <message>
        <source>{host} did not finish the secure handshake in time (TLS).</source>
        <translation>{host} 没有及时完成安全握手（TLS）。</translation>
    </message>
    <message>
        <source>{host} broke off the secure handshake (TLS).</source>
        <translation>{host} 中断了安全握手（TLS）。</translation>
    </message>
    <message>
        <source>The secure connection to {host} failed (TLS).</source>
        <translation>与 {host} 的安全连接失败（TLS）。</translation>
    </message>
    <message>
        <source>The web request failed (HTTP): {reason}</source>
        <translation>网页请求失败（HTTP）：{reason}</translation>
    </message>
    <message>
        <source>{host} answered a web request (HTTP {status}).</source>
        <translation>{host} 响应了网页请求（HTTP {status}）。</translation>
    </message>
    <message>
        <source>No API key was given for this address, so the key was not checked.</source>
        <translation>没有为此地址提供 API 密钥，因此未检查密钥。</translation>
    </message>
    <message>
        <source>{host} refused the API key (auth). Check that the whole key was pasted, or set a new one.</source>
        <translation>{host} 拒绝了 API 密钥（认证）。请确认粘贴了完整的密钥，或设置新的密钥。</translation>
    </message>
    <message>
        <source>The key could not be checked (auth): {reason}</source>
        <translation>无法检查密钥（认证）：{reason}</translation>
    </message>
    <message>
        <source>Enter the API address, e.g. {example}.</source>
        <translation>请输入 API 地址，例如 {example}</translation>
    </message>
    <message>
        <source>“{text}” is not a web address (expected https://host).</source>
        <translation>“{text}”不是网址（应为 https://主机名）。</translation>
    </message>
    <message>
        <source>The API address must not contain a user name or password.</source>
        <translation>API 地址中不能包含用户名或密码。</translation>
    </message>
    <message>
        <source>The API address must not contain ‘?’ or ‘#’ parts.</source>
        <translation>API 地址中不能包含“?”或“#”部分。</translation>
    </message>
    <message>
        <source>Refusing plain HTTP to {host}: the API key would travel unencrypted. Use https:// (plain http:// is allowed only for this computer).</source>
        <translation>拒绝以普通 HTTP 连接 {host}：API 密钥会以未加密的方式传输。请使用 https://（只有本机可以使用普通 http://）。</translation>
    </message>
    <message>
        <source>Enter the proxy address, e.g. {example}.</source>
        <translation>请输入代理地址，例如 {example}</translation>
    </message>
    <message>
        <source>Start the proxy address with its kind, e.g. http://{text}.</source>
        <translation>代理地址需要以类型开头，例如 http://{text}</translation>
    </message>
    <message>
        <source>“{shown}” is not a proxy address (expected e.g. {example}).</source>
        <translation>“{shown}”不是代理地址（应类似 {example}）。</translation>
    </message>
    <message>
        <source>SOCKS proxies need the PySocks package, which is not installed; use an http:// or https:// proxy.</source>
        <translation>SOCKS 代理需要 PySocks 软件包，但它没有安装；请使用 http:// 或 https:// 代理。</translation>
    </message>
    <message>
        <source>Use socks5:// or socks5h:// for a SOCKS proxy.</source>
        <translation>SOCKS 代理请使用 socks5:// 或 socks5h://。</translation>
    </message>
    <message>
        <source>A proxy address starts with {kinds}; “{scheme}://” is not supported.</source>
        <translation>代理地址应以 {kinds} 开头；不支持“{scheme}://”。</translation>
    </message>
    <message>
        <source>The proxy address has no host name (expected e.g. {example}).</source>
        <translation>代理地址中没有主机名（应类似 {example}）。</translation>
    </message>
    <message>
        <source>A proxy address is only a host and a port, without a path or ‘?’ parts.</source>
        <translation>代理地址只能包含主机和端口，不能有路径或“?”部分。</translation>
    </message>
    <message>
        <source>{host} is reached through the proxy {proxy}.</source>
        <translation>通过代理 {proxy} 访问 {host}。</translation>
    </message>
    <message>
        <source>{host} is on this computer: no proxy is used.</source>
        <translation>{host} 在这台电脑上：不使用代理。</translation>
    </message>
    <message>
        <source>The system settings name no proxy for {host}: direct connection.</source>
        <translation>系统设置没有为 {host} 指定代理：直接连接。</translation>
    </message>
    <message>
        <source>{host} is reached directly.</source>
        <translation>直接访问 {host}。</translation>
    </message>
    <message>
        <source>Give the profile a name.</source>
        <translation>请为配置起一个名称。</translation>
    </message>
    <message>
        <source>“sandbox” is the built-in offline profile; choose another name.</source>
        <translation>“sandbox”是内置的离线配置，请换一个名称。</translation>
    </message>
    <message>
        <source>Use up to 40 letters, digits, spaces, dots, dashes or underscores.</source>
        <translation>名称最多 40 个字符，只能使用字母、数字、空格、点、短横线或下划线。</translation>
    </message>
    <message>
        <source>There is already a profile called “{name}”.</source>
        <translation>已经有名为“{name}”的配置。</translation>
    </message>
    <message>
        <source>There is no profile called “{name}”.</source>
        <translation>没有名为“{name}”的配置。</translation>
    </message>
    <message>
        <source>{profile}: {problem}</source>
        <translation>{profile}：{problem}</translation>
    </message>
    <message>
        <source>download folder</source>
        <translation>下载文件夹</translation>
    </message>
    <message>
        <source>auto-save folder</source>
        <translation>自动保存文件夹</translation>
    </message>
    <message>
        <source>folder</source>
        <translation>文件夹</translation>
    </message>
    <message>
        <source>Choose the {what}.</source>
        <translation>请选择{what}。</translation>
    </message>
    <message>
        <source>The {what} must be a full path (e.g. {example}).</source>
        <translation>{what}必须是完整路径（例如 {example}）。</translation>
    </message>
    <message>
        <source>{folder} is a file, not a folder.</source>
        <translation>{folder} 是一个文件，不是文件夹。</translation>
    </message>
    <message>
        <source>A channel is one word such as {channels}.</source>
        <translation>通道必须是一个单词，例如 {channels}。</translation>
    </message>
    <message>
        <source>Run between {low} and {high} tasks at once.</source>
        <translation>同时运行的任务数应在 {low} 到 {high} 之间。</translation>
    </message>
    <message>
        <source>Your settings could not be saved in {folder}. Check that the disk has space and the folder is writable.</source>
        <translation>无法将设置保存到 {folder}。请检查磁盘是否还有空间，以及该文件夹是否可写。</translation>
    </message>
    <message>
        <source>Setting “{key}” was not valid; using the default.</source>
        <translation>设置“{key}”无效，已改用默认值。</translation>
    </message>
    <message>
        <source>The active profile “{name}” no longer exists; using the sandbox.</source>
        <translation>当前配置“{name}”已不存在，改用沙盒。</translation>
    </message>
    <message>
        <source>A profile without a name or address was dropped.</source>
        <translation>一个没有名称或地址的配置已被移除。</translation>
    </message>
    <message>
        <source>Profile “{name}” was dropped: {problem}</source>
        <translation>配置“{name}”已被移除：{problem}</translation>
    </message>
    <message>
        <source>Profile “{profile}”: the proxy setting was not valid; the system proxy settings are used.</source>
        <translation>配置“{profile}”：代理设置无效，改用系统代理设置。</translation>
    </message>
    <message>
        <source>Profile “{profile}”: {problem} The system proxy settings are used.</source>
        <translation>配置“{profile}”：{problem}已改用系统代理设置。</translation>
    </message>
    <message>
        <source>Could not read your settings; using the defaults.</source>
        <translation>无法读取你的设置，改用默认设置。</translation>
    </message>
    <message>
        <source>Your settings file could not be read; the defaults are in use.</source>
        <translation>无法读取你的设置文件，现在使用默认设置。</translation>
    </message>
    <message>
        <source>Your settings file could not be read; the defaults are in use. A copy was kept as {backup}.</source>
        <translation>无法读取你的设置文件，现在使用默认设置。原文件的副本已保留为 {backup}。</translation>
    </message>
    <message>
        <source>Your settings were written by a newer version of Get3W Desktop (format {version}); settings this version does not know are kept as they are.</source>
        <translation>你的设置由更新版本的 Get3W Desktop 写入（格式 {version}）；此版本不认识的设置会原样保留。</translation>
    </message>
    <message>
        <source>Enter a file-name pattern, e.g. {example}.</source>
        <translation>请输入文件名模式，例如 {example}。</translation>
    </message>
    <message>
        <source>A file name cannot contain / or \; the folder is chosen separately.</source>
        <translation>文件名不能包含 / 或 \；文件夹需另行选择。</translation>
    </message>
    <message>
        <source>Unbalanced braces: write placeholders as {example}, and a literal brace as {brace}.</source>
        <translation>花括号不成对：占位符请写成 {example}，花括号本身请写成 {brace}。</translation>
    </message>
    <message>
        <source>Unknown placeholder {shown}. Use {known}.</source>
        <translation>未知的占位符 {shown}。可用的有：{known}。</translation>
    </message>
    <message>
        <source>Write {name} without a format (“:” or “!”).</source>
        <translation>{name} 不能带格式（“:”或“!”）。</translation>
    </message>
    <message>
        <source>Use at least one placeholder, or every file would get the same name.</source>
        <translation>请至少使用一个占位符，否则所有文件都会得到同一个名称。</translation>
    </message>
    <message>
        <source>The local copy was cleaned up on {day} to free disk space. {remote}</source>
        <translation>为释放磁盘空间，本地副本已于 {day} 清理。{remote}</translation>
    </message>
    <message>
        <source>Get3W keeps the output until about {until}: Task › Copy output URL, or re-run the task.</source>
        <translation>Get3W 会将结果保留到大约 {until}：可通过 任务 › 复制输出 URL 获取，或重新运行该任务。</translation>
    </message>
    <message>
        <source>The copy on Get3W may have expired (outputs are kept about 7 days).</source>
        <translation>Get3W 上的副本可能已过期（结果约保留 7 天）。</translation>
    </message>
    <message>
        <source>d MMM yyyy</source>
        <extracomment>How a date is written (Qt&apos;s date format letters), in the person&apos;s language.</extracomment>
        <translation>yyyy年M月d日</translation>
    </message>
    <message>
        <source>d MMM</source>
        <translation>M月d日</translation>
    </message>
</context>
<context>
    <name>ModelPicker</name>
    <message>
        <source>Text to image</source>
        <translation>文生图</translation>
    </message>
    <message>
        <source>Image editing</source>
        <translation>图像编辑</translation>
    </message>
    <message>
        <source>Text to video</source>
        <translation>文生视频</translation>
    </message>
    <message>
        <source>Image to video</source>
        <translation>图生视频</translation>
    </message>
    <message>
        <source>Audio</source>
        <translation>音频</translation>
    </message>
    <message>
        <source>Image to image</source>
        <translation>图生图</translation>
    </message>
    <message>
        <source>Video effects</source>
        <translation>视频特效</translation>
    </message>
    <message>
        <source>With LoRAs</source>
        <translation>支持 LoRA</translation>
    </message>
    <message>
        <source>Digital humans</source>
        <translation>数字人</translation>
    </message>
    <message>
        <source>Video to video</source>
        <translation>视频转视频</translation>
    </message>
    <message>
        <source>Upscalers</source>
        <translation>超分辨率</translation>
    </message>
    <message>
        <source>Image to 3D</source>
        <translation>图生 3D</translation>
    </message>
    <message>
        <source>Removers</source>
        <translation>消除工具</translation>
    </message>
    <message>
        <source>Training</source>
        <translation>训练</translation>
    </message>
    <message>
        <source>Motion control</source>
        <translation>动作控制</translation>
    </message>
    <message>
        <source>Image to text</source>
        <translation>图生文</translation>
    </message>
    <message>
        <source>Video extension</source>
        <translation>视频延长</translation>
    </message>
    <message>
        <source>Portrait transfer</source>
        <translation>人像迁移</translation>
    </message>
    <message>
        <source>Image effects</source>
        <translation>图片特效</translation>
    </message>
    <message>
        <source>Video dubbing</source>
        <translation>视频配音</translation>
    </message>
    <message>
        <source>Audio to audio</source>
        <translation>音频转音频</translation>
    </message>
    <message>
        <source>Content moderation</source>
        <translation>内容审核</translation>
    </message>
    <message>
        <source>Video to text</source>
        <translation>视频转文字</translation>
    </message>
    <message>
        <source>Text to 3D</source>
        <translation>文生 3D</translation>
    </message>
    <message>
        <source>Language models</source>
        <translation>语言模型</translation>
    </message>
    <message>
        <source>Speech to text</source>
        <translation>语音转文字</translation>
    </message>
    <message>
        <source>{price} / run</source>
        <translation>{price} / 次</translation>
    </message>
    <message>
        <source>about {s} s</source>
        <translation>约 {s} 秒</translation>
    </message>
    <message>
        <source>about {m} min</source>
        <translation>约 {m} 分钟</translation>
    </message>
    <message>
        <source>favourite</source>
        <translation>已收藏</translation>
    </message>
    <message>
        <source>search</source>
        <translation>搜索</translation>
    </message>
    <message>
        <source>Search</source>
        <translation>搜索</translation>
    </message>
    <message>
        <source>Search models</source>
        <translation>搜索模型</translation>
    </message>
    <message>
        <source>Search by name, id, maker, kind or description (Ctrl+K)</source>
        <translation>按名称、ID、厂商、类别或描述搜索（Ctrl+K）</translation>
    </message>
    <message>
        <source>Show one kind of model, your favourites or recent ones</source>
        <translation>只显示某一类模型、收藏的模型或最近使用的模型</translation>
    </message>
    <message>
        <source>Kind of model</source>
        <translation>模型类别</translation>
    </message>
    <message>
        <source>Show one maker&apos;s models</source>
        <translation>只显示某个厂商的模型</translation>
    </message>
    <message>
        <source>Maker</source>
        <translation>厂商</translation>
    </message>
    <message>
        <source>Enter chooses a model; Ctrl+D adds it to or removes it from favourites</source>
        <translation>按 Enter 选择模型；按 Ctrl+D 加入或移出收藏</translation>
    </message>
    <message>
        <source>How many models are shown</source>
        <translation>显示的模型数量</translation>
    </message>
    <message>
        <source>All kinds ({count})</source>
        <translation>全部类别（{count}）</translation>
    </message>
    <message>
        <source>★ Favourites ({count})</source>
        <translation>★ 收藏（{count}）</translation>
    </message>
    <message>
        <source>Recently used ({count})</source>
        <translation>最近使用（{count}）</translation>
    </message>
    <message>
        <source>All makers</source>
        <translation>全部厂商</translation>
    </message>
    <message>
        <source>{shown} of {total} models</source>
        <translation>显示 {shown} / {total} 个模型</translation>
    </message>
    <message>
        <source>{total} models</source>
        <translation>{total} 个模型</translation>
    </message>
    <message>
        <source>Remove from favourites</source>
        <translation>移出收藏</translation>
    </message>
    <message>
        <source>Add to favourites</source>
        <translation>加入收藏</translation>
    </message>
    <message>
        <source>Copy model id</source>
        <translation>复制模型 ID</translation>
    </message>
    <message>
        <source>Models</source>
        <translation>模型</translation>
    </message>
    <message>
        <source>No model matches “{text}”</source>
        <translation>没有与“{text}”匹配的模型</translation>
    </message>
    <message>
        <source>Try a shorter word, a maker such as “google”, or a kind such as “video”.</source>
        <translation>试试更短的词、厂商名（如“google”）或类型（如“video”）。</translation>
    </message>
    <message>
        <source>No favourites yet</source>
        <translation>还没有收藏</translation>
    </message>
    <message>
        <source>Click the star beside a model, or press Ctrl+D in the list, to keep it here.</source>
        <translation>点击模型旁的星标，或在列表中按 Ctrl+D，即可收藏到这里。</translation>
    </message>
    <message>
        <source>Nothing used yet</source>
        <translation>还没有使用记录</translation>
    </message>
    <message>
        <source>The models you generate with appear here.</source>
        <translation>用来生成过的模型会显示在这里。</translation>
    </message>
    <message>
        <source>No model of this kind from this maker</source>
        <translation>该厂商没有这一类模型</translation>
    </message>
    <message>
        <source>Choose “All kinds” or “All makers”.</source>
        <translation>请选择“全部类别”或“全部厂商”。</translation>
    </message>
    <message>
        <source>No models yet</source>
        <translation>还没有模型</translation>
    </message>
    <message>
        <source>The model list could not be loaded.</source>
        <translation>无法载入模型列表。</translation>
    </message>
</context>
<context>
    <name>Money</name>
    <message>
        <source>about {price}</source>
        <translation>约 {price}</translation>
    </message>
    <message>
        <source>less than $0.01</source>
        <translation>不到 $0.01</translation>
    </message>
</context>
<context>
    <name>Notifier</name>
    <message>
        <source>Failed: {model}</source>
        <translation>失败：{model}</translation>
    </message>
    <message>
        <source>Finished.</source>
        <translation>已完成。</translation>
    </message>
    <message>
        <source>Done: {model}</source>
        <translation>完成：{model}</translation>
    </message>
    <message>
        <source>1 task finished</source>
        <translation>1 个任务已完成</translation>
    </message>
    <message>
        <source>{count} tasks finished</source>
        <translation>{count} 个任务已完成</translation>
    </message>
    <message>
        <source>{count} failed</source>
        <translation>{count} 个失败</translation>
    </message>
    <message>
        <source>1 task failed</source>
        <translation>1 个任务失败</translation>
    </message>
    <message>
        <source>{count} tasks failed</source>
        <translation>{count} 个任务失败</translation>
    </message>
    <message>
        <source>, </source>
        <translation>，</translation>
    </message>
    <message>
        <source>Click to see the results.</source>
        <translation>点击查看结果。</translation>
    </message>
</context>
<context>
    <name>NumberField</name>
    <message>
        <source>Auto</source>
        <translation>自动</translation>
    </message>
    <message>
        <source>{title}: type a number from {low} to {high}.</source>
        <translation>{title}：请输入 {low} 到 {high} 之间的数字。</translation>
    </message>
</context>
<context>
    <name>ObjectField</name>
    <message>
        <source>JSON, for example {example}</source>
        <translation>JSON，例如 {example}</translation>
    </message>
    <message>
        <source>{title} is not valid JSON (line {line}, column {column}: {reason}).</source>
        <translation>{title}不是有效的 JSON（第 {line} 行第 {column} 列：{reason}）。</translation>
    </message>
    <message>
        <source>{title} is not valid JSON.</source>
        <translation>{title}不是有效的 JSON。</translation>
    </message>
    <message>
        <source>{title} is nested too deeply.</source>
        <translation>{title}嵌套层级过深。</translation>
    </message>
    <message>
        <source>{title} must be a list [ … ].</source>
        <translation>{title}必须是列表 [ … ]。</translation>
    </message>
    <message>
        <source>{title} must be an object {{ … }}.</source>
        <translation>{title}必须是对象 {{ … }}。</translation>
    </message>
</context>
<context>
    <name>ObjectListField</name>
    <message>
        <source>Add to {title}</source>
        <translation>添加到{title}</translation>
    </message>
    <message>
        <source>None yet.</source>
        <translation>暂无。</translation>
    </message>
    <message>
        <source>Add</source>
        <translation>添加</translation>
    </message>
    <message>
        <source>{count} of at most {limit}</source>
        <translation>{count} / 最多 {limit}</translation>
    </message>
    <message>
        <source>{title}: add at least {low}.</source>
        <translation>{title}：至少添加 {low} 项。</translation>
    </message>
    <message>
        <source>{title}: at most {high}, please.</source>
        <translation>{title}：最多 {high} 项。</translation>
    </message>
    <message>
        <source>Item {number}: {problem}</source>
        <translation>第 {number} 项：{problem}</translation>
    </message>
</context>
<context>
    <name>OutputActions</name>
    <message>
        <source>Saved {path}</source>
        <translation>已保存 {path}</translation>
    </message>
    <message>
        <source>{name} is no longer on this computer.</source>
        <translation>{name} 已不在这台电脑上。</translation>
    </message>
    <message>
        <source>No app could open {name}</source>
        <translation>没有应用能打开 {name}</translation>
    </message>
    <message>
        <source>Could not open the file</source>
        <translation>无法打开文件</translation>
    </message>
    <message>
        <source>No app on this computer could open {name}.</source>
        <translation>这台电脑上没有应用能打开 {name}。</translation>
    </message>
    <message>
        <source>The file {file} is in {folder}. Show it in its folder, or copy its path to open it with another app.</source>
        <translation>文件 {file} 位于 {folder}。可以在文件夹中显示它，或复制其路径，用其他应用打开。</translation>
    </message>
    <message>
        <source>Show in folder</source>
        <translation>在文件夹中显示</translation>
    </message>
    <message>
        <source>Copy path</source>
        <translation>复制路径</translation>
    </message>
    <message>
        <source>No app could show the folder either; its path is copied: {folder}</source>
        <translation>也没有应用能显示该文件夹；已复制其路径：{folder}</translation>
    </message>
    <message>
        <source>Path copied: {path}</source>
        <translation>路径已复制：{path}</translation>
    </message>
    <message>
        <source>Could not create the save folder {folder} ({reason}). Opening your home folder instead; choose another download folder in Settings.</source>
        <translation>无法创建保存文件夹 {folder}（{reason}）。将改为打开你的主文件夹；请在“设置”中选择其他下载文件夹。</translation>
    </message>
    <message>
        <source>Created {folder} for your saved files</source>
        <translation>已创建 {folder}，用于存放保存的文件</translation>
    </message>
    <message>
        <source>Save output</source>
        <translation>保存输出</translation>
    </message>
    <message>
        <source>All files (*)</source>
        <translation>所有文件 (*)</translation>
    </message>
    <message>
        <source>Nothing to save yet: select a finished task.</source>
        <translation>还没有可保存的内容：请选择一个已完成的任务。</translation>
    </message>
    <message>
        <source>Save all outputs to</source>
        <translation>将全部输出保存到</translation>
    </message>
    <message>
        <source>Saved 1 file to {folder}</source>
        <translation>已将 1 个文件保存到 {folder}</translation>
    </message>
    <message>
        <source>Saved {count} files to {folder}</source>
        <translation>已将 {count} 个文件保存到 {folder}</translation>
    </message>
    <message>
        <source>Not saved</source>
        <translation>未保存</translation>
    </message>
    <message>
        <source>Image</source>
        <translation>图像</translation>
    </message>
    <message>
        <source>Video</source>
        <translation>视频</translation>
    </message>
    <message>
        <source>Audio</source>
        <translation>音频</translation>
    </message>
    <message>
        <source>File</source>
        <translation>文件</translation>
    </message>
    <message>
        <source>Copying the image…</source>
        <translation>正在复制图像…</translation>
    </message>
    <message>
        <source>Image copied to the clipboard</source>
        <translation>图像已复制到剪贴板</translation>
    </message>
    <message>
        <source>Could not copy the image: {reason}</source>
        <translation>无法复制图像：{reason}</translation>
    </message>
    <message>
        <source>Output URL copied</source>
        <translation>输出 URL 已复制</translation>
    </message>
    <message>
        <source>Copied as a curl command (the key is $GET3W_API_KEY)</source>
        <translation>已复制为 curl 命令（密钥写作 $GET3W_API_KEY）</translation>
    </message>
    <message>
        <source>Copied as a Python script (it reads the key from GET3W_API_KEY)</source>
        <translation>已复制为 Python 脚本（从 GET3W_API_KEY 读取密钥）</translation>
    </message>
    <message>
        <source>Task id copied</source>
        <translation>任务 ID 已复制</translation>
    </message>
    <message>
        <source>Loaded how {name} was made: {model}</source>
        <translation>已载入 {name} 的生成方式：{model}</translation>
    </message>
</context>
<context>
    <name>OutputPages</name>
    <message>
        <source>3D model</source>
        <translation>3D 模型</translation>
    </message>
    <message>
        <source>Model weights</source>
        <translation>模型权重</translation>
    </message>
    <message>
        <source>Archive</source>
        <translation>压缩包</translation>
    </message>
    <message>
        <source>File</source>
        <translation>文件</translation>
    </message>
    <message>
        <source>Open it in your 3D viewer, or drag it into Blender or a web viewer.</source>
        <translation>用 3D 查看器打开，或拖入 Blender 或网页查看器。</translation>
    </message>
    <message>
        <source>Trained weights: use them as a LoRA, or keep them for later.</source>
        <translation>训练得到的权重：可作为 LoRA 使用，或留作以后使用。</translation>
    </message>
    <message>
        <source>Open it with your archive tool.</source>
        <translation>用解压工具打开。</translation>
    </message>
    <message>
        <source>This app cannot preview this kind of file.</source>
        <translation>本应用无法预览此类文件。</translation>
    </message>
    <message>
        <source>missing</source>
        <translation>缺失</translation>
    </message>
</context>
<context>
    <name>ParamFields</name>
    <message>
        <source>Economy: the lowest price, for bulk work; may take longer.</source>
        <extracomment>The largest integer a double (and so a QDoubleSpinBox) holds exactly.</extracomment>
        <translation>经济：价格最低，适合批量任务；可能耗时更长。</translation>
    </message>
    <message>
        <source>Stable: the usual choice, reliable at a standard price.</source>
        <translation>稳定：常用选择，标准价格，稳定可靠。</translation>
    </message>
    <message>
        <source>Official: routed to the model maker&apos;s official service.</source>
        <translation>官方：路由到模型厂商的官方服务。</translation>
    </message>
    <message>
        <source>Economy</source>
        <translation>经济</translation>
    </message>
    <message>
        <source>Stable</source>
        <translation>稳定</translation>
    </message>
    <message>
        <source>Official</source>
        <translation>官方</translation>
    </message>
    <message>
        <source>Yes</source>
        <translation>是</translation>
    </message>
    <message>
        <source>No</source>
        <translation>否</translation>
    </message>
    <message>
        <source>The maximum is {limit}; {typed} was changed to {limit}.</source>
        <translation>最大值为 {limit}；已将 {typed} 改为 {limit}。</translation>
    </message>
    <message>
        <source>The minimum is {limit}; {typed} was changed to {limit}.</source>
        <translation>最小值为 {limit}；已将 {typed} 改为 {limit}。</translation>
    </message>
</context>
<context>
    <name>ParamForm</name>
    <message>
        <source>Choose a model to see its settings.</source>
        <extracomment>The service&apos;s latest estimate per model (seconds), once a task of it was answered.</extracomment>
        <translation>选择一个模型以查看其设置。</translation>
    </message>
    <message>
        <source>How long the service last estimated this model would take</source>
        <translation>服务最近一次对此模型所需时间的估计</translation>
    </message>
    <message>
        <source>How long this model usually takes, from the model list</source>
        <translation>此模型通常所需的时间（来自模型列表）</translation>
    </message>
    <message>
        <source>required</source>
        <translation>必填</translation>
    </message>
    <message>
        <source>{title}: this value cannot be read.</source>
        <translation>{title}：无法读取此值。</translation>
    </message>
    <message>
        <source>{title} is required.</source>
        <translation>{title}为必填项。</translation>
    </message>
    <message>
        <source>Choose a model first.</source>
        <translation>请先选择一个模型。</translation>
    </message>
</context>
<context>
    <name>ProfileEditor</name>
    <message>
        <source>Edit profile</source>
        <translation>编辑配置</translation>
    </message>
    <message>
        <source>Add profile</source>
        <translation>添加配置</translation>
    </message>
    <message>
        <source>The name also identifies the profile&apos;s key in the keyring, so it cannot be changed; add a new profile instead.</source>
        <translation>名称同时用于在密钥环中识别此配置的密钥，因此无法修改；请改为添加新配置。</translation>
    </message>
    <message>
        <source>A short name, e.g. Work or Team.</source>
        <translation>简短的名称，例如“工作”或“团队”。</translation>
    </message>
    <message>
        <source>HTTPS is required, except for addresses on this computer.</source>
        <translation>必须使用 HTTPS，本机地址除外。</translation>
    </message>
    <message>
        <source>&amp;Name:</source>
        <translation>名称(&amp;N)：</translation>
    </message>
    <message>
        <source>API &amp;address:</source>
        <translation>API 地址(&amp;A)：</translation>
    </message>
    <message>
        <source>Use the system&apos;s proxy settings</source>
        <translation>使用系统的代理设置</translation>
    </message>
    <message>
        <source>No proxy: connect directly</source>
        <translation>不使用代理：直接连接</translation>
    </message>
    <message>
        <source>Use this proxy:</source>
        <translation>使用此代理：</translation>
    </message>
    <message>
        <source>Proxy address</source>
        <translation>代理地址</translation>
    </message>
    <message>
        <source>http://host:port or https://host:port. A proxy that asks for a password: http://user:password@host:port.</source>
        <translation>http://主机:端口 或 https://主机:端口。需要密码的代理：http://用户名:密码@主机:端口。</translation>
    </message>
    <message>
        <source>&amp;Proxy:</source>
        <translation>代理(&amp;P)：</translation>
    </message>
    <message>
        <source>The proxy password is kept in the settings file, readable only by your user account, and never shown or logged.</source>
        <translation>代理密码保存在设置文件中，只有你的用户账户可以读取，且从不显示或记入日志。</translation>
    </message>
</context>
<context>
    <name>RemoteCancel</name>
    <message>
        <source>Cancel on Get3&amp;W…</source>
        <translation>在 Get3W 上取消(&amp;W)…</translation>
    </message>
    <message>
        <source>Ask the server to stop the selected running tasks (Stop waiting only stops this app from checking)</source>
        <translation>请服务器停止所选的运行中任务（“停止等待”只会让本应用不再查询）</translation>
    </message>
    <message>
        <source>Select running tasks that have reached the server.</source>
        <translation>请选择已提交到服务器的运行中任务。</translation>
    </message>
    <message>
        <source>These tasks ran on another profile: switch to it first.</source>
        <translation>这些任务运行在另一个配置上：请先切换到该配置。</translation>
    </message>
    <message>
        <source>Ask Get3W to stop this task? What it already did may be charged.</source>
        <translation>要请 Get3W 停止此任务吗？已完成的部分可能仍会计费。</translation>
    </message>
    <message>
        <source>Ask Get3W to stop these {n} tasks? What they already did may be charged.</source>
        <translation>要请 Get3W 停止这 {n} 个任务吗？已完成的部分可能仍会计费。</translation>
    </message>
    <message>
        <source>Cancel on Get3W</source>
        <translation>在 Get3W 上取消</translation>
    </message>
    <message>
        <source>this service offers no way to cancel a task</source>
        <translation>此服务不支持取消任务</translation>
    </message>
    <message>
        <source>Not cancelled on Get3W: {why}</source>
        <translation>未能在 Get3W 上取消：{why}</translation>
    </message>
    <message>
        <source>Cancelled on Get3W.</source>
        <translation>已在 Get3W 上取消。</translation>
    </message>
</context>
<context>
    <name>ResultViewer</name>
    <message>
        <source>Pick a model, write a prompt and press Generate — results appear here</source>
        <translation>选择模型、写下提示词并点击“生成”— 结果会显示在这里</translation>
    </message>
    <message>
        <source>Waiting to start…</source>
        <translation>等待开始…</translation>
    </message>
    <message>
        <source>Sending to Get3W…</source>
        <translation>正在发送到 Get3W…</translation>
    </message>
    <message>
        <source>Generating…</source>
        <translation>正在生成…</translation>
    </message>
    <message>
        <source>Saving the results…</source>
        <translation>正在保存结果…</translation>
    </message>
    <message>
        <source>This task failed</source>
        <translation>此任务失败</translation>
    </message>
    <message>
        <source>Finished, but not saved</source>
        <translation>已完成，但未保存</translation>
    </message>
    <message>
        <source>Submission uncertain</source>
        <translation>提交状态不确定</translation>
    </message>
    <message>
        <source>Stopped</source>
        <translation>已停止</translation>
    </message>
    <message>
        <source>Finished without files</source>
        <translation>已完成，但没有文件</translation>
    </message>
    <message>
        <source>Try again in a moment: Task › Re-run (Ctrl+R).</source>
        <translation>请稍后再试：任务 › 重新运行（Ctrl+R）。</translation>
    </message>
    <message>
        <source>Check the API key in Settings, then re-run the task.</source>
        <translation>请在设置中检查 API 密钥，然后重新运行任务。</translation>
    </message>
    <message>
        <source>Top up your Get3W balance, then re-run the task (Ctrl+R).</source>
        <translation>请为 Get3W 账户充值，然后重新运行任务（Ctrl+R）。</translation>
    </message>
    <message>
        <source>Change the parameters and generate again: Task › Load parameters (Ctrl+L).</source>
        <translation>请修改参数后重新生成：任务 › 将参数载入表单（Ctrl+L）。</translation>
    </message>
    <message>
        <source>Check your internet connection, then re-run the task (Ctrl+R).</source>
        <translation>请检查网络连接，然后重新运行任务（Ctrl+R）。</translation>
    </message>
    <message>
        <source>Check your Get3W dashboard before re-running, so you are not charged twice.</source>
        <translation>重新运行前请先查看 Get3W 控制台，以免重复扣费。</translation>
    </message>
    <message>
        <source>You can re-run it with the same parameters: Task › Re-run (Ctrl+R).</source>
        <translation>你可以用相同参数重新运行：任务 › 重新运行（Ctrl+R）。</translation>
    </message>
    <message>
        <source>A task already on the server keeps running there; nothing was lost.</source>
        <translation>已在服务器上的任务会继续运行；没有任何损失。</translation>
    </message>
    <message>
        <source>The result stays on Get3W for about 7 days: Task › Copy output URL.</source>
        <translation>结果会在 Get3W 上保留约 7 天：任务 › 复制输出 URL。</translation>
    </message>
    <message>
        <source>No task matches the search or filters.</source>
        <translation>没有任务符合搜索或筛选条件。</translation>
    </message>
    <message>
        <source>Clear them to see every task again.</source>
        <translation>清除它们即可重新看到所有任务。</translation>
    </message>
    <message>
        <source>Open</source>
        <translation>打开</translation>
    </message>
    <message>
        <source>Open with the default app</source>
        <translation>用默认应用打开</translation>
    </message>
    <message>
        <source>Save…</source>
        <translation>保存…</translation>
    </message>
    <message>
        <source>Save a copy of this file (Ctrl+S)</source>
        <translation>保存此文件的副本（Ctrl+S）</translation>
    </message>
    <message>
        <source>Copy image</source>
        <translation>复制图像</translation>
    </message>
    <message>
        <source>Use as input</source>
        <translation>用作输入</translation>
    </message>
    <message>
        <source>Send this output to a field of this or another model</source>
        <translation>将此输出发送到当前模型或其他模型的输入字段</translation>
    </message>
    <message>
        <source>Details</source>
        <translation>详情</translation>
    </message>
    <message>
        <source>Show or hide the details</source>
        <translation>显示或隐藏详情</translation>
    </message>
    <message>
        <source>Gallery</source>
        <translation>图库</translation>
    </message>
    <message>
        <source>Show every result of this group as a grid (Enter opens one)</source>
        <translation>以网格显示这一组的全部结果（回车打开）</translation>
    </message>
    <message>
        <source>Ctrl+Enter generates · Ctrl+K finds a model</source>
        <translation>Ctrl+Enter 生成 · Ctrl+K 查找模型</translation>
    </message>
    <message>
        <source>Save all outputs to a folder…</source>
        <translation>将全部输出保存到文件夹…</translation>
    </message>
    <message>
        <source>{count} results</source>
        <translation>{count} 个结果</translation>
    </message>
    <message>
        <source>Not every output was saved: {error}</source>
        <translation>并非所有输出都已保存：{error}</translation>
    </message>
    <message>
        <source>unknown error</source>
        <translation>未知错误</translation>
    </message>
    <message>
        <source>{count} texts</source>
        <translation>{count} 段文本</translation>
    </message>
    <message>
        <source>Text</source>
        <translation>文本</translation>
    </message>
    <message>
        <source>Save all {count} outputs to a folder…</source>
        <translation>将全部 {count} 个输出保存到文件夹…</translation>
    </message>
    <message>
        <source>Save to a folder…</source>
        <translation>保存到文件夹…</translation>
    </message>
    <message>
        <source>Stopped before it finished.</source>
        <translation>在完成前已停止。</translation>
    </message>
    <message>
        <source>No output files were saved for this task.</source>
        <translation>此任务没有保存任何输出文件。</translation>
    </message>
    <message>
        <source>{index} of {count}</source>
        <translation>第 {index}/{count} 个</translation>
    </message>
    <message>
        <source>missing</source>
        <translation>文件缺失</translation>
    </message>
</context>
<context>
    <name>RunConfirmation</name>
    <message>
        <source>Send this run?</source>
        <translation>发送这次运行？</translation>
    </message>
    <message>
        <source>Models: {models}</source>
        <translation>模型：{models}</translation>
    </message>
    <message>
        <source>The price of this run is not known.</source>
        <translation>这次运行的价格未知。</translation>
    </message>
    <message>
        <source>Each task: not known</source>
        <translation>每个任务：未知</translation>
    </message>
    <message>
        <source>Total: not known</source>
        <translation>合计：未知</translation>
    </message>
    <message>
        <source>{n} of these tasks have no known price; the others cost {total}.</source>
        <translation>其中 {n} 个任务价格未知；其余任务共 {total}。</translation>
    </message>
    <message>
        <source>This run costs {total}, more than {threshold}.</source>
        <translation>这次运行花费 {total}，超过了 {threshold}。</translation>
    </message>
    <message>
        <source>Each task: {price}</source>
        <translation>每个任务：{price}</translation>
    </message>
    <message>
        <source>Total: {total} (without the tasks of unknown price)</source>
        <translation>合计：{total}（不含价格未知的任务）</translation>
    </message>
    <message>
        <source>Total: {total}</source>
        <translation>合计：{total}</translation>
    </message>
    <message>
        <source>Model: {model}</source>
        <translation>模型：{model}</translation>
    </message>
    <message>
        <source>Tasks: {count}</source>
        <translation>任务数：{count}</translation>
    </message>
    <message>
        <source>An estimate from the model list: the service has not quoted it.</source>
        <translation>这是根据模型列表的估算：服务尚未报价。</translation>
    </message>
    <message>
        <source>You can change when this is asked in Settings › Spending.</source>
        <translation>可在“设置 › 支出”中更改何时询问。</translation>
    </message>
    <message>
        <source>Send</source>
        <translation>发送</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
</context>
<context>
    <name>SandboxBanner</name>
    <message>
        <source>&lt;b&gt;Sandbox&lt;/b&gt; — results are simulated on this computer and nothing is charged. Add your Get3W API key to generate for real.</source>
        <extracomment>The untranslated texts `name` and `detail` came from (context &quot;ServiceInfo&quot;, `{url}` filled in), so the badge speaks the language of the moment, not the one it began in.</extracomment>
        <translation>&lt;b&gt;沙盒&lt;/b&gt; — 结果在这台电脑上模拟生成，不会产生任何费用。添加你的 Get3W API 密钥即可真正生成。</translation>
    </message>
    <message>
        <source>Enter API key…</source>
        <translation>输入 API 密钥…</translation>
    </message>
    <message>
        <source>Store your Get3W API key in the system keyring</source>
        <translation>将 Get3W API 密钥保存到系统密钥环</translation>
    </message>
</context>
<context>
    <name>SeedField</name>
    <message>
        <source>Random</source>
        <translation>随机</translation>
    </message>
    <message>
        <source>A different result every time (seed −1)</source>
        <translation>每次结果都不同（种子 −1）</translation>
    </message>
    <message>
        <source>New seed</source>
        <translation>新种子</translation>
    </message>
    <message>
        <source>Pick a new fixed seed, so you can reproduce the result later</source>
        <translation>选取一个新的固定种子，便于以后复现结果</translation>
    </message>
</context>
<context>
    <name>ServiceBadge</name>
    <message>
        <source>{detail}
Click to switch where tasks run.</source>
        <translation>{detail}
点击切换任务的运行位置。</translation>
    </message>
    <message>
        <source>{name} · cannot reach</source>
        <translation>{name} · 无法连接</translation>
    </message>
    <message>
        <source>{why}
Click to switch where tasks run.</source>
        <translation>{why}
点击以切换任务的运行位置。</translation>
    </message>
    <message>
        <source>Service: {name}</source>
        <translation>服务：{name}</translation>
    </message>
    <message>
        <source>Cannot reach the service: {reason}</source>
        <translation>无法连接到服务：{reason}</translation>
    </message>
    <message>
        <source>New tasks wait until it answers. Trying again at {time} (failed tries: {tries}).</source>
        <translation>新任务会等待，直到服务响应。将于 {time} 重试（已失败 {tries} 次）。</translation>
    </message>
    <message>
        <source>Run new tasks on</source>
        <translation>新任务运行于</translation>
    </message>
    <message>
        <source>Sandbox (offline, free)</source>
        <translation>沙盒（离线，免费）</translation>
    </message>
    <message>
        <source>Profiles and settings…</source>
        <translation>配置与设置…</translation>
    </message>
</context>
<context>
    <name>ServiceController</name>
    <message>
        <source>Looking up the key for {name}…</source>
        <extracomment>Whether the host answers (None for the sandbox, which runs in this process). Why a profile&apos;s key was saved unchecked (the host did not answer): its service starts out as &quot;cannot reach&quot; until an answer comes.</extracomment>
        <translation>正在查找 {name} 的密钥…</translation>
    </message>
    <message>
        <source>Settings not saved</source>
        <translation>设置未保存</translation>
    </message>
    <message>
        <source>Reading your spending…</source>
        <translation>正在读取你的支出…</translation>
    </message>
    <message>
        <source>Save diagnostics</source>
        <translation>保存诊断信息</translation>
    </message>
    <message>
        <source>Zip archive (*.zip)</source>
        <translation>Zip 压缩包 (*.zip)</translation>
    </message>
    <message>
        <source>Diagnostics not saved</source>
        <translation>诊断信息未保存</translation>
    </message>
    <message>
        <source>Diagnostics saved to {path} (no keys or passwords inside)</source>
        <translation>诊断信息已保存到 {path}（其中不含任何密钥或密码）</translation>
    </message>
</context>
<context>
    <name>ServiceInfo</name>
    <message>
        <source>Offline sandbox: results are simulated on this computer and nothing is charged. Add a Get3W API key to use the real service.</source>
        <translation>离线沙盒：结果在这台电脑上模拟生成，不会产生任何费用。添加 Get3W API 密钥即可使用真实服务。</translation>
    </message>
    <message>
        <source>Sandbox</source>
        <translation>沙盒</translation>
    </message>
    <message>
        <source>Tasks run on {url} and are charged to the account of this key.</source>
        <translation>任务在 {url} 上运行，费用记入此密钥对应的账户。</translation>
    </message>
</context>
<context>
    <name>SettingsDialog</name>
    <message>
        <source>(server default)</source>
        <translation>服务器默认</translation>
    </message>
    <message>
        <source>Settings</source>
        <translation>设置</translation>
    </message>
    <message>
        <source>&amp;Service</source>
        <translation>服务(&amp;S)</translation>
    </message>
    <message>
        <source>&amp;Files</source>
        <translation>文件(&amp;F)</translation>
    </message>
    <message>
        <source>S&amp;pending</source>
        <translation>支出(&amp;P)</translation>
    </message>
    <message>
        <source>&amp;Appearance</source>
        <translation>外观(&amp;A)</translation>
    </message>
    <message>
        <source>Profiles</source>
        <translation>配置</translation>
    </message>
    <message>
        <source>Where tasks run. The sandbox is built in and free.</source>
        <translation>任务的运行位置。沙盒为内置且免费。</translation>
    </message>
    <message>
        <source>A&amp;dd…</source>
        <translation>添加(&amp;D)…</translation>
    </message>
    <message>
        <source>&amp;Edit…</source>
        <translation>编辑(&amp;E)…</translation>
    </message>
    <message>
        <source>&amp;Remove</source>
        <translation>移除(&amp;R)</translation>
    </message>
    <message>
        <source>API &amp;key…</source>
        <translation>API 密钥(&amp;K)…</translation>
    </message>
    <message>
        <source>Set, check or remove this profile&apos;s API key.</source>
        <translation>设置、验证或删除此配置的 API 密钥。</translation>
    </message>
    <message>
        <source>New tasks run on this profile.</source>
        <translation>新任务在此配置上运行。</translation>
    </message>
    <message>
        <source>Get3W&apos;s service tier: economy (cheapest), stable, official. A model&apos;s form can still override it.</source>
        <translation>Get3W 服务档位：经济（最便宜）、稳定、官方。模型表单中仍可单独指定。</translation>
    </message>
    <message>
        <source>Submit, then check back (recommended)</source>
        <translation>提交后再回来查询（推荐）</translation>
    </message>
    <message>
        <source>Wait for the answer (quick models only)</source>
        <translation>等待结果返回（仅限快速模型）</translation>
    </message>
    <message>
        <source> at once</source>
        <translation> 个同时运行</translation>
    </message>
    <message>
        <source>How many tasks run at the same time; more wait in line.</source>
        <translation>同时运行的任务数；其余任务排队等待。</translation>
    </message>
    <message>
        <source>Profiles:</source>
        <translation>配置：</translation>
    </message>
    <message>
        <source>Ac&amp;tive profile:</source>
        <translation>当前配置(&amp;T)：</translation>
    </message>
    <message>
        <source>Default &amp;channel:</source>
        <translation>默认通道(&amp;C)：</translation>
    </message>
    <message>
        <source>Submit &amp;mode:</source>
        <translation>提交方式(&amp;M)：</translation>
    </message>
    <message>
        <source>Tasks at &amp;once:</source>
        <translation>同时运行的任务(&amp;O)：</translation>
    </message>
    <message>
        <source>Where “Save” puts outputs unless you choose otherwise.</source>
        <translation>“保存”时默认存放输出的位置。</translation>
    </message>
    <message>
        <source>Save every output automatically</source>
        <translation>自动保存每个输出</translation>
    </message>
    <message>
        <source>Placeholders: {names}</source>
        <translation>占位符：{names}</translation>
    </message>
    <message>
        <source>&amp;Download folder:</source>
        <translation>下载文件夹(&amp;D)：</translation>
    </message>
    <message>
        <source>Auto-save f&amp;older:</source>
        <translation>自动保存文件夹(&amp;O)：</translation>
    </message>
    <message>
        <source>File &amp;names:</source>
        <translation>文件名(&amp;N)：</translation>
    </message>
    <message>
        <source>Also &amp;write a JSON recipe beside each saved output</source>
        <translation>同时在每个保存的输出旁写入 JSON 配方(&amp;W)</translation>
    </message>
    <message>
        <source>A small .json file with the model, parameters, seed, task id and cost, so any output can be made again.</source>
        <translation>一个小的 .json 文件，记录模型、参数、种子、任务 ID 和费用，便于重新生成任何输出。</translation>
    </message>
    <message>
        <source>&amp;Limit each run to</source>
        <translation>每次运行上限(&amp;L)</translation>
    </message>
    <message>
        <source>A run is one Generate press: a single task, its variations, or a whole batch.</source>
        <translation>一次运行即按一次“生成”：单个任务、其全部变体或整个批量。</translation>
    </message>
    <message>
        <source>L&amp;imit each day to</source>
        <translation>每日上限(&amp;I)</translation>
    </message>
    <message>
        <source>Everything sent today, on every profile (the sandbox too), counts.</source>
        <translation>今天在所有配置（包括沙盒）中发送的任务都会计入。</translation>
    </message>
    <message>
        <source>As&amp;k before sending a run above</source>
        <translation>发送超过此金额的运行前询问(&amp;K)</translation>
    </message>
    <message>
        <source>A run costing more than this shows its model, count and total, and is sent only when you press Send.</source>
        <translation>花费超过此金额的运行会先显示模型、数量和合计，只有按下“发送”后才会发送。</translation>
    </message>
    <message>
        <source>Before anything is sent, its price is checked against these limits; a run that would go over is not sent, and you are told why. Prices come from the service when it quotes them, otherwise from the model list (an estimate).</source>
        <translation>发送之前会先将价格与这些上限比较；超出上限的运行不会发送，并会告诉你原因。价格在服务提供报价时取自服务，否则取自模型列表（估算）。</translation>
    </message>
    <message>
        <source>Follow the system</source>
        <translation>跟随系统</translation>
    </message>
    <message>
        <source>Light</source>
        <translation>浅色</translation>
    </message>
    <message>
        <source>Dark</source>
        <translation>深色</translation>
    </message>
    <message>
        <source>Notify me when a task finishes or fails</source>
        <translation>任务完成或失败时通知我</translation>
    </message>
    <message>
        <source>for each task</source>
        <translation>每个任务都通知</translation>
    </message>
    <message>
        <source>once everything running has finished</source>
        <translation>全部运行中的任务完成后通知一次</translation>
    </message>
    <message>
        <source>System language</source>
        <translation>跟随系统语言</translation>
    </message>
    <message>
        <source>The language of the interface; applies at once</source>
        <translation>界面语言；立即生效</translation>
    </message>
    <message>
        <source>&amp;Language:</source>
        <translation>语言(&amp;L)：</translation>
    </message>
    <message>
        <source>&amp;Theme:</source>
        <translation>主题(&amp;T)：</translation>
    </message>
    <message>
        <source>&amp;Notify:</source>
        <translation>通知方式(&amp;N)：</translation>
    </message>
    <message>
        <source>Browse…</source>
        <translation>浏览…</translation>
    </message>
    <message>
        <source>Choose a folder</source>
        <translation>选择文件夹</translation>
    </message>
    <message>
        <source>sandbox — built in, runs on this computer, free</source>
        <translation>沙盒 — 内置，在这台电脑上运行，免费</translation>
    </message>
    <message>
        <source>Fix the problems shown first.</source>
        <translation>请先修正所示的问题。</translation>
    </message>
    <message>
        <source>For example: {name}</source>
        <translation>例如：{name}</translation>
    </message>
</context>
<context>
    <name>ShortcutsDialog</name>
    <message>
        <source>Keyboard shortcuts</source>
        <translation>键盘快捷键</translation>
    </message>
    <message>
        <source>Search shortcuts</source>
        <translation>搜索快捷键</translation>
    </message>
    <message>
        <source>Type a word or a key, such as Ctrl</source>
        <translation>输入文字或按键名，例如 Ctrl</translation>
    </message>
    <message>
        <source>Action</source>
        <translation>操作</translation>
    </message>
    <message>
        <source>Keys</source>
        <translation>按键</translation>
    </message>
    <message>
        <source>Shortcuts</source>
        <translation>快捷键</translation>
    </message>
    <message>
        <source>No shortcut matches your search.</source>
        <translation>没有与搜索匹配的快捷键。</translation>
    </message>
    <message>
        <source>Help and other secondary windows</source>
        <translation>帮助窗口及其他次要窗口</translation>
    </message>
    <message>
        <source>Elsewhere in the window</source>
        <translation>窗口中的其他位置</translation>
    </message>
</context>
<context>
    <name>SizeField</name>
    <message>
        <source>Width</source>
        <translation>宽度</translation>
    </message>
    <message>
        <source>Width in pixels, {low}–{high}</source>
        <translation>宽度（像素），{low}–{high}</translation>
    </message>
    <message>
        <source>Height</source>
        <translation>高度</translation>
    </message>
    <message>
        <source>Height in pixels, {low}–{high}</source>
        <translation>高度（像素），{low}–{high}</translation>
    </message>
    <message>
        <source>Keep ratio</source>
        <translation>保持比例</translation>
    </message>
    <message>
        <source>Change the other side too, keeping the shape</source>
        <translation>同时调整另一边，保持形状</translation>
    </message>
    <message>
        <source>Square</source>
        <translation>方形</translation>
    </message>
    <message>
        <source>Landscape</source>
        <translation>横向</translation>
    </message>
    <message>
        <source>Portrait</source>
        <translation>纵向</translation>
    </message>
</context>
<context>
    <name>SpendDialog</name>
    <message>
        <source>≈ marks amounts that include estimates: the service did not report those costs.</source>
        <translation>≈ 表示金额中含有估算值：服务未报告这些费用。</translation>
    </message>
    <message>
        <source>Spending</source>
        <translation>支出</translation>
    </message>
    <message>
        <source>Today</source>
        <translation>今天</translation>
    </message>
    <message>
        <source>Balance</source>
        <translation>余额</translation>
    </message>
    <message>
        <source>left in the account</source>
        <translation>账户剩余</translation>
    </message>
    <message>
        <source>not reported by this service</source>
        <translation>此服务未提供</translation>
    </message>
    <message>
        <source>Spending by day, model and profile</source>
        <translation>按日期、模型和配置统计的支出</translation>
    </message>
    <message>
        <source>Nothing spent yet: runs you send will be listed here.</source>
        <translation>还没有支出：你发送的运行会列在这里。</translation>
    </message>
    <message>
        <source>By day, model and profile</source>
        <translation>按日期、模型和配置</translation>
    </message>
    <message>
        <source>Checked against the bill</source>
        <translation>与账单核对</translation>
    </message>
    <message>
        <source>Differences from the bill</source>
        <translation>与账单的差异</translation>
    </message>
    <message>
        <source>Task</source>
        <translation>任务</translation>
    </message>
    <message>
        <source>Recorded</source>
        <translation>本机记录</translation>
    </message>
    <message>
        <source>Billed</source>
        <translation>账单金额</translation>
    </message>
    <message>
        <source>What differs</source>
        <translation>差异说明</translation>
    </message>
    <message>
        <source>This service does not publish a billing history, so the amounts above are what this computer recorded.</source>
        <translation>此服务不提供账单历史，因此上面的金额是这台电脑记录的。</translation>
    </message>
    <message>
        <source>no tasks</source>
        <translation>无任务</translation>
    </message>
    <message>
        <source>1 task</source>
        <translation>1 个任务</translation>
    </message>
    <message>
        <source>{count} tasks</source>
        <translation>{count} 个任务</translation>
    </message>
    <message>
        <source> · includes estimates</source>
        <translation> · 含估算</translation>
    </message>
</context>
<context>
    <name>StartupShell</name>
    <message>
        <source>Get3W Desktop</source>
        <translation>Get3W Desktop</translation>
    </message>
    <message>
        <source>Get3W Desktop is opening</source>
        <translation>Get3W Desktop 正在打开</translation>
    </message>
</context>
<context>
    <name>StorageAge</name>
    <message>
        <source>Last 7 days</source>
        <translation>最近 7 天</translation>
    </message>
    <message>
        <source>8–30 days</source>
        <translation>8–30 天</translation>
    </message>
    <message>
        <source>31–90 days</source>
        <translation>31–90 天</translation>
    </message>
    <message>
        <source>Older than 90 days</source>
        <translation>90 天以前</translation>
    </message>
</context>
<context>
    <name>StorageDialog</name>
    <message>
        <source>Storage</source>
        <translation>存储空间</translation>
    </message>
    <message>
        <source>Space used</source>
        <translation>已用空间</translation>
    </message>
    <message>
        <source>Measuring…</source>
        <translation>正在统计…</translation>
    </message>
    <message>
        <source>Open folder</source>
        <translation>打开文件夹</translation>
    </message>
    <message>
        <source>Model</source>
        <translation>模型</translation>
    </message>
    <message>
        <source>Finished</source>
        <translation>完成时间</translation>
    </message>
    <message>
        <source>By model</source>
        <translation>按模型</translation>
    </message>
    <message>
        <source>By age</source>
        <translation>按时间</translation>
    </message>
    <message>
        <source>Age of copies to clean up</source>
        <translation>要清理的副本的时间</translation>
    </message>
    <message>
        <source>Working out what would be freed…</source>
        <translation>正在计算可释放的空间…</translation>
    </message>
    <message>
        <source>Clean up</source>
        <translation>清理</translation>
    </message>
    <message>
        <source>Delete local copies of tasks finished more than</source>
        <extracomment>Before the number of days: &quot;[Delete local copies … more than] [30 days] [ago]&quot;.</extracomment>
        <translation>删除完成于</translation>
    </message>
    <message>
        <source>ago</source>
        <extracomment>After the number of days: &quot;[Delete local copies … more than] [30 days] [ago]&quot;.</extracomment>
        <translation>以前的任务的本地副本</translation>
    </message>
    <message>
        <source>Tasks stay in the history with their parameters. Get3W keeps outputs about 7 days: older ones cannot be downloaded again.</source>
        <translation>任务及其参数会保留在历史记录中。Get3W 只保存输出约 7 天：更早的输出无法再次下载。</translation>
    </message>
    <message>
        <source>Clear</source>
        <translation>清除</translation>
    </message>
    <message>
        <source>Thumbnails are made again when needed</source>
        <translation>需要时会重新生成缩略图</translation>
    </message>
    <message>
        <source>Thumbnail cache</source>
        <translation>缩略图缓存</translation>
    </message>
    <message>
        <source> day</source>
        <extracomment>The unit after the number in the clean-up&apos;s age box (&quot;1 day&quot;, &quot;30 days&quot;).</extracomment>
        <translation> 天</translation>
    </message>
    <message>
        <source> days</source>
        <translation> 天</translation>
    </message>
    <message>
        <source>in {files} for {tasks}, kept by Get3W Desktop in its data folder</source>
        <translation>共 {files}，属于 {tasks}，由 Get3W Desktop 保存在其数据文件夹中</translation>
    </message>
    <message>
        <source>1 recorded file no longer on disk.</source>
        <translation>1 个已记录的文件已不在磁盘上。</translation>
    </message>
    <message>
        <source>{n} recorded files no longer on disk.</source>
        <translation>{n} 个已记录的文件已不在磁盘上。</translation>
    </message>
    <message>
        <source>1 task already cleaned up.</source>
        <translation>1 个任务已清理过。</translation>
    </message>
    <message>
        <source>{n} tasks already cleaned up.</source>
        <translation>{n} 个任务已清理过。</translation>
    </message>
    <message>
        <source>1 file ({size}) belongs to no task; a clean-up removes it once a day old.</source>
        <translation>1 个文件（{size}）不属于任何任务；超过一天后，清理时会将其删除。</translation>
    </message>
    <message>
        <source>{n} files ({size}) belong to no task; a clean-up removes them once a day old.</source>
        <translation>{n} 个文件（{size}）不属于任何任务；超过一天后，清理时会将其删除。</translation>
    </message>
    <message>
        <source>1 file ({size}) in your own folders is not counted and never cleaned up.</source>
        <translation>你自己文件夹中的 1 个文件（{size}）不计入统计，也不会被清理。</translation>
    </message>
    <message>
        <source>{n} files ({size}) in your own folders are not counted and never cleaned up.</source>
        <translation>你自己文件夹中的 {n} 个文件（{size}）不计入统计，也不会被清理。</translation>
    </message>
    <message>
        <source>Nothing that old: there is nothing to clean up.</source>
        <translation>没有这么旧的副本：无需清理。</translation>
    </message>
    <message>
        <source>{files} of {tasks}</source>
        <translation>{tasks}的 {files}</translation>
    </message>
    <message>
        <source>{files} of no task</source>
        <translation>不属于任何任务的 {files}</translation>
    </message>
    <message>
        <source>{first} and {second}</source>
        <translation>{first}，以及{second}</translation>
    </message>
    <message>
        <source>Frees {size}: {what}.</source>
        <translation>可释放 {size}：{what}。</translation>
    </message>
    <message>
        <source>Clean up {size}</source>
        <translation>清理 {size}</translation>
    </message>
    <message>
        <source>Freed {size} ({files}).</source>
        <translation>已释放 {size}（{files}）。</translation>
    </message>
    <message>
        <source>1 thumbnail</source>
        <translation>1 张缩略图</translation>
    </message>
    <message>
        <source>{n} thumbnails</source>
        <translation>{n} 张缩略图</translation>
    </message>
    <message>
        <source>{size} in {thumbnails}</source>
        <translation>{thumbnails}，共 {size}</translation>
    </message>
    <message>
        <source>Empty</source>
        <translation>空</translation>
    </message>
    <message>
        <source>Thumbnail cache cleared: {size} freed.</source>
        <translation>缩略图缓存已清除：释放了 {size}。</translation>
    </message>
</context>
<context>
    <name>StringListField</name>
    <message>
        <source>One per line</source>
        <translation>每行一项</translation>
    </message>
    <message>
        <source>{title}: add at least {low} lines.</source>
        <translation>{title}：请至少添加 {low} 行。</translation>
    </message>
    <message>
        <source>{title}: at most {high} lines, please (there are {count}).</source>
        <translation>{title}：最多 {high} 行（当前有 {count} 行）。</translation>
    </message>
</context>
<context>
    <name>TaskFilter</name>
    <message>
        <source>All statuses</source>
        <translation>全部状态</translation>
    </message>
    <message>
        <source>In progress</source>
        <translation>进行中</translation>
    </message>
    <message>
        <source>Done</source>
        <translation>已完成</translation>
    </message>
    <message>
        <source>Failed or not saved</source>
        <translation>失败或未保存</translation>
    </message>
    <message>
        <source>Stopped</source>
        <translation>已停止</translation>
    </message>
    <message>
        <source>Any time</source>
        <translation>任意时间</translation>
    </message>
    <message>
        <source>Last 24 hours</source>
        <translation>最近 24 小时</translation>
    </message>
    <message>
        <source>Last 7 days</source>
        <translation>最近 7 天</translation>
    </message>
    <message>
        <source>Last 30 days</source>
        <translation>最近 30 天</translation>
    </message>
</context>
<context>
    <name>TaskFilterBar</name>
    <message>
        <source>search</source>
        <extracomment>The model filter is this many characters wide (its popup shows whole names): sizing it to the longest of ~800 names would read every name while the first frame is laid out.</extracomment>
        <translation>搜索</translation>
    </message>
    <message>
        <source>Search prompts, models, task ids…</source>
        <translation>搜索提示词、模型、任务 ID…</translation>
    </message>
    <message>
        <source>Search the tasks (Ctrl+F); every word must match</source>
        <translation>搜索任务（Ctrl+F）；需匹配所有关键词</translation>
    </message>
    <message>
        <source>Search tasks</source>
        <translation>搜索任务</translation>
    </message>
    <message>
        <source>Show tasks with this status</source>
        <translation>显示此状态的任务</translation>
    </message>
    <message>
        <source>All models</source>
        <translation>全部模型</translation>
    </message>
    <message>
        <source>Show tasks of one model</source>
        <translation>显示某个模型的任务</translation>
    </message>
    <message>
        <source>All profiles</source>
        <translation>全部配置</translation>
    </message>
    <message>
        <source>Show tasks that ran on one profile</source>
        <translation>只显示在某个配置上运行的任务</translation>
    </message>
    <message>
        <source>Show tasks created in this period</source>
        <translation>显示在此时间段内创建的任务</translation>
    </message>
    <message>
        <source>Newest first</source>
        <translation>最新在前</translation>
    </message>
    <message>
        <source>Oldest first</source>
        <translation>最早在前</translation>
    </message>
    <message>
        <source>Order of the list</source>
        <translation>列表排序</translation>
    </message>
    <message>
        <source>Sandbox</source>
        <translation>沙盒</translation>
    </message>
    <message>
        <source>{shown} of {total}</source>
        <translation>{shown} / {total}</translation>
    </message>
    <message>
        <source>1 task</source>
        <translation>1 个任务</translation>
    </message>
    <message>
        <source>{count} tasks</source>
        <translation>{count} 个任务</translation>
    </message>
</context>
<context>
    <name>TaskPanel</name>
    <message>
        <source>Tasks</source>
        <extracomment>What the context menu shows for a task: (action or None for a separator, enabled).</extracomment>
        <translation>任务</translation>
    </message>
    <message>
        <source>Nothing yet: your tasks appear here, newest first.</source>
        <translation>还没有任务：你的任务会显示在这里，最新的在最前。</translation>
    </message>
    <message>
        <source>No task matches.</source>
        <translation>没有匹配的任务。</translation>
    </message>
    <message>
        <source>Show all tasks</source>
        <translation>显示全部任务</translation>
    </message>
</context>
<context>
    <name>TextField</name>
    <message>
        <source>{count} / {limit} characters</source>
        <translation>{count} / {limit} 个字符</translation>
    </message>
    <message>
        <source>{title} is too long: {count} characters, at most {limit}.</source>
        <translation>{title}过长：{count} 个字符，最多 {limit} 个。</translation>
    </message>
</context>
<context>
    <name>TextPage</name>
    <message>
        <source>Copy</source>
        <translation>复制</translation>
    </message>
    <message>
        <source>Copy the text (or the selected part)</source>
        <translation>复制文本（或选中的部分）</translation>
    </message>
    <message>
        <source>Save as .txt…</source>
        <translation>另存为 .txt…</translation>
    </message>
    <message>
        <source>Save this text as a UTF-8 text file</source>
        <translation>将此文本保存为 UTF-8 文本文件</translation>
    </message>
    <message>
        <source>Monospace</source>
        <translation>等宽字体</translation>
    </message>
    <message>
        <source>Show the text in a fixed-width font (tables, code)</source>
        <translation>用等宽字体显示文本（适合表格、代码）</translation>
    </message>
    <message>
        <source>Text output</source>
        <translation>文本输出</translation>
    </message>
    <message>
        <source>Text outputs</source>
        <translation>文本输出</translation>
    </message>
    <message>
        <source>Text {number}</source>
        <translation>文本 {number}</translation>
    </message>
    <message>
        <source>{words} words · {chars} characters</source>
        <translation>{words} 词 · {chars} 个字符</translation>
    </message>
    <message>
        <source>Copied.</source>
        <translation>已复制。</translation>
    </message>
    <message>
        <source>Save text</source>
        <translation>保存文本</translation>
    </message>
    <message>
        <source>Text files (*.txt)</source>
        <translation>文本文件 (*.txt)</translation>
    </message>
    <message>
        <source>Could not save {name}: {reason}</source>
        <translation>无法保存 {name}：{reason}</translation>
    </message>
    <message>
        <source>Saved to {name}.</source>
        <translation>已保存到 {name}。</translation>
    </message>
</context>
<context>
    <name>Timings</name>
    <message>
        <source>Queued</source>
        <translation>排队</translation>
    </message>
    <message>
        <source>Starting</source>
        <translation>启动</translation>
    </message>
    <message>
        <source>Generating</source>
        <translation>生成</translation>
    </message>
    <message>
        <source>Saving</source>
        <translation>保存</translation>
    </message>
    <message>
        <source>Overhead</source>
        <translation>其他开销</translation>
    </message>
</context>
<context>
    <name>UseAsInput</name>
    <message>
        <source>Edit with…</source>
        <translation>使用模型编辑…</translation>
    </message>
    <message>
        <source>Animate with…</source>
        <translation>使用模型生成动画…</translation>
    </message>
    <message>
        <source>Make an image with…</source>
        <translation>使用模型生成图片…</translation>
    </message>
    <message>
        <source>Make a video with…</source>
        <translation>使用模型制作视频…</translation>
    </message>
    <message>
        <source>Make sound with…</source>
        <translation>使用模型生成声音…</translation>
    </message>
    <message>
        <source>Describe with…</source>
        <translation>使用模型描述…</translation>
    </message>
    <message>
        <source>Make 3D with…</source>
        <translation>使用模型生成 3D…</translation>
    </message>
    <message>
        <source>Train with…</source>
        <translation>使用模型训练…</translation>
    </message>
    <message>
        <source>Use with…</source>
        <translation>使用其他模型…</translation>
    </message>
    <message>
        <source>No model takes this kind of output</source>
        <translation>没有模型接受这种输出</translation>
    </message>
    <message>
        <source>This model ({name})</source>
        <translation>当前模型（{name}）</translation>
    </message>
    <message>
        <source>Put in “{field}”</source>
        <translation>放入“{field}”</translation>
    </message>
    <message>
        <source>Your models</source>
        <translation>我的模型</translation>
    </message>
    <message>
        <source>{model}: put it in “{field}”</source>
        <translation>{model}：放入“{field}”</translation>
    </message>
    <message>
        <source>Use as input</source>
        <translation>用作输入</translation>
    </message>
    <message>
        <source>Send this output to a field of this or another model</source>
        <translation>将此输出发送到当前模型或其他模型的输入字段</translation>
    </message>
    <message>
        <source>Added to {model}</source>
        <translation>已添加到 {model}</translation>
    </message>
</context>
<context>
    <name>ZoomBar</name>
    <message>
        <source>Zoom out (Ctrl+−)</source>
        <translation>缩小（Ctrl+−）</translation>
    </message>
    <message>
        <source>Zoom in (Ctrl++)</source>
        <translation>放大（Ctrl++）</translation>
    </message>
    <message>
        <source>Fit to the window (Ctrl+0)</source>
        <translation>适应窗口（Ctrl+0）</translation>
    </message>
    <message>
        <source>Actual pixels (Ctrl+1)</source>
        <translation>实际像素（Ctrl+1）</translation>
    </message>
    <message>
        <source>Fit</source>
        <translation>适应</translation>
    </message>
    <message>
        <source>Zoom the picture out</source>
        <translation>缩小图片</translation>
    </message>
    <message>
        <source>Zoom the picture in</source>
        <translation>放大图片</translation>
    </message>
    <message>
        <source>Fit the picture to the window</source>
        <translation>让图片适应窗口</translation>
    </message>
    <message>
        <source>Show the picture&apos;s actual pixels</source>
        <translation>按实际像素显示图片</translation>
    </message>
</context>
<context>
    <name>_MediaBase</name>
    <message>
        <source>Choose {what}</source>
        <translation>选择{what}</translation>
    </message>
    <message>
        <source>{problem} (item {number})</source>
        <translation>{problem}（第 {number} 项）</translation>
    </message>
</context>
<context>
    <name>_Outline</name>
    <message>
        <source>Opening Get3W Desktop…</source>
        <extracomment>The window&apos;s default size and the least it may be (ui/main_window.py uses the same). Qt.AlignmentFlag.AlignCenter. The shell paints before anything reads PySide6&apos;s `Qt` namespace, whose first use costs ~15 ms (a tenth of a bare window&apos;s start-up). The columns&apos; widths at the window&apos;s default split (model list, form; the rest results).</extracomment>
        <translation>正在打开 Get3W Desktop…</translation>
    </message>
</context>
<context>
    <name>_Table</name>
    <message>
        <source>Tasks</source>
        <translation>任务</translation>
    </message>
    <message>
        <source>Files</source>
        <translation>文件</translation>
    </message>
    <message>
        <source>Size</source>
        <translation>大小</translation>
    </message>
</context>
</TS>
