<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>main</name>
    <message>
        <source>Precis: a studio for compressing transformer language models.</source>
        <translation>Precis：用于压缩 Transformer 语言模型的工作室。</translation>
    </message>
    <message>
        <source>Model file or folder to open.</source>
        <translation>要打开的模型文件或文件夹。</translation>
    </message>
</context>
<context>
    <name>precis::app::MainWindow</name>
    <message>
        <source>Precis</source>
        <translation>Precis</translation>
    </message>
    <message>
        <source>Model</source>
        <translation>模型</translation>
    </message>
    <message>
        <source>Attention</source>
        <translation>注意力</translation>
    </message>
    <message>
        <source>Open a model (File ▸ Open) or drop one here</source>
        <translation>打开一个模型（文件 ▸ 打开），或将模型拖放到此处</translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation>文件(&amp;F)</translation>
    </message>
    <message>
        <source>&amp;Open File…</source>
        <translation>打开文件(&amp;O)…</translation>
    </message>
    <message>
        <source>Open a model file (GGUF, safetensors, llama2.c)</source>
        <translation>打开模型文件（GGUF、safetensors、llama2.c）</translation>
    </message>
    <message>
        <source>Open &amp;Folder…</source>
        <translation>打开文件夹(&amp;F)…</translation>
    </message>
    <message>
        <source>Ctrl+Shift+O</source>
        <translation>Ctrl+Shift+O</translation>
    </message>
    <message>
        <source>Open a Hugging Face model folder (config.json + safetensors)</source>
        <translation>打开 Hugging Face 模型文件夹（config.json + safetensors）</translation>
    </message>
    <message>
        <source>&amp;Recent Models</source>
        <translation>最近的模型(&amp;R)</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>退出(&amp;Q)</translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation>视图(&amp;V)</translation>
    </message>
    <message>
        <source>Main</source>
        <translation>主工具栏</translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation>帮助(&amp;H)</translation>
    </message>
    <message>
        <source>&amp;About Precis</source>
        <translation>关于 Precis(&amp;A)</translation>
    </message>
    <message>
        <source>About Precis</source>
        <translation>关于 Precis</translation>
    </message>
    <message>
        <source>&lt;h3&gt;Precis %1&lt;/h3&gt;&lt;p&gt;A studio for compressing transformer language models: inspect a model, watch its attention and sensitivity, choose a mixed-precision budget, compress, measure and export.&lt;/p&gt;</source>
        <translation>&lt;h3&gt;Precis %1&lt;/h3&gt;&lt;p&gt;用于压缩 Transformer 语言模型的工作室：检查模型，观察其注意力与敏感度，选择混合精度预算，压缩、测量并导出。&lt;/p&gt;</translation>
    </message>
    <message>
        <source>About &amp;Qt</source>
        <translation>关于 &amp;Qt</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>Stop the running job</source>
        <translation>停止正在运行的任务</translation>
    </message>
    <message>
        <source>Opening %1…</source>
        <translation>正在打开 %1…</translation>
    </message>
    <message>
        <source>Attention needs the model&apos;s tokenizer: %1</source>
        <translation>注意力视图需要模型的分词器：%1</translation>
    </message>
    <message>
        <source>Precis — %1</source>
        <translation>Precis — %1</translation>
    </message>
    <message>
        <source>Opened %1: %2 parameters in %3 tensors</source>
        <translation>已打开 %1：%3 个张量中共 %2 个参数</translation>
    </message>
    <message>
        <source>Open Model File</source>
        <translation>打开模型文件</translation>
    </message>
    <message>
        <source>Models (*.gguf *.safetensors *.bin);;All files (*)</source>
        <translation>模型 (*.gguf *.safetensors *.bin);;所有文件 (*)</translation>
    </message>
    <message>
        <source>Open Model Folder</source>
        <translation>打开模型文件夹</translation>
    </message>
    <message>
        <source>(none)</source>
        <translation>（无）</translation>
    </message>
    <message>
        <source>Clear List</source>
        <translation>清除列表</translation>
    </message>
</context>
<context>
    <name>precis::app::StudioDocument</name>
    <message>
        <source>Loading %1</source>
        <translation>正在加载 %1</translation>
    </message>
    <message>
        <source>Loading cancelled.</source>
        <translation>加载已取消。</translation>
    </message>
    <message>
        <source>Open a model first.</source>
        <translation>请先打开一个模型。</translation>
    </message>
    <message>
        <source>This model has no usable tokenizer: %1</source>
        <translation>此模型没有可用的分词器：%1</translation>
    </message>
    <message>
        <source>Computing attention</source>
        <translation>正在计算注意力</translation>
    </message>
    <message>
        <source>Attention computation cancelled.</source>
        <translation>注意力计算已取消。</translation>
    </message>
</context>
<context>
    <name>precis::views::AttentionThumbnails</name>
    <message>
        <source>Click a head to show it in the large map</source>
        <translation>点击一个注意力头，在大图中显示它</translation>
    </message>
    <message>
        <source>Head %1</source>
        <translation>头 %1</translation>
    </message>
</context>
<context>
    <name>precis::views::AttentionView</name>
    <message>
        <source>Type a sentence to see where each token looks</source>
        <translation>输入一句话，查看每个词元关注哪里</translation>
    </message>
    <message>
        <source>Compute</source>
        <translation>计算</translation>
    </message>
    <message>
        <source>Transformer layer (block) whose attention is shown</source>
        <translation>显示其注意力的 Transformer 层（块）</translation>
    </message>
    <message>
        <source>Attention head of the chosen layer</source>
        <translation>所选层的注意力头</translation>
    </message>
    <message>
        <source>attention probability</source>
        <translation>注意力概率</translation>
    </message>
    <message>
        <source>key token (attended to)</source>
        <translation>键词元（被关注）</translation>
    </message>
    <message>
        <source>query token</source>
        <translation>查询词元</translation>
    </message>
    <message>
        <source>Layer:</source>
        <translation>层：</translation>
    </message>
    <message>
        <source>Head:</source>
        <translation>头：</translation>
    </message>
    <message>
        <source>Head %1</source>
        <translation>头 %1</translation>
    </message>
    <message>
        <source>Enter some text and press Compute.</source>
        <translation>请输入文本并点击“计算”。</translation>
    </message>
    <message>
        <source>Computing…</source>
        <translation>正在计算…</translation>
    </message>
    <message>
        <source>Layer %1 · head %2</source>
        <translation>第 %1 层 · 头 %2</translation>
    </message>
    <message>
        <source>Query %1 “%2” → key %3 “%4”: p = %5</source>
        <translation>查询 %1 “%2” → 键 %3 “%4”：p = %5</translation>
    </message>
    <message>
        <source>(masked: a token cannot see later tokens)</source>
        <translation>（已屏蔽：词元看不到其后的词元）</translation>
    </message>
    <message>
        <source>Tokens: %1.</source>
        <translation>词元数：%1。</translation>
    </message>
    <message>
        <source>The text was cut to its first %1 tokens (%2 more not shown).</source>
        <translation>文本已截断为前 %1 个词元（另有 %2 个未显示）。</translation>
    </message>
</context>
<context>
    <name>precis::views::ModelTreeView</name>
    <message>
        <source>%1 bytes</source>
        <translation>%1 字节</translation>
    </message>
    <message>
        <source>%1 of %2 parameters</source>
        <translation>%2 个参数中的 %1 个</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>名称</translation>
    </message>
    <message>
        <source>Shape</source>
        <translation>形状</translation>
    </message>
    <message>
        <source>DType</source>
        <translation>数据类型</translation>
    </message>
    <message>
        <source>Bytes</source>
        <translation>字节</translation>
    </message>
    <message>
        <source>Params</source>
        <translation>参数</translation>
    </message>
    <message>
        <source>Filter tensors (e.g. attn_q, blk.3)</source>
        <translation>筛选张量（例如 attn_q、blk.3）</translation>
    </message>
    <message>
        <source>Architecture</source>
        <translation>架构</translation>
    </message>
    <message>
        <source>Layers</source>
        <translation>层数</translation>
    </message>
    <message>
        <source>Embedding</source>
        <translation>嵌入维度</translation>
    </message>
    <message>
        <source>Heads (Q / KV)</source>
        <translation>头数（Q / KV）</translation>
    </message>
    <message>
        <source>Head size</source>
        <translation>头维度</translation>
    </message>
    <message>
        <source>FFN</source>
        <translation>FFN</translation>
    </message>
    <message>
        <source>Vocabulary</source>
        <translation>词表</translation>
    </message>
    <message>
        <source>Context</source>
        <translation>上下文</translation>
    </message>
    <message>
        <source>Parameters</source>
        <translation>参数量</translation>
    </message>
    <message>
        <source>Tensors</source>
        <translation>张量</translation>
    </message>
    <message>
        <source>File size</source>
        <translation>文件大小</translation>
    </message>
    <message>
        <source>Format</source>
        <translation>格式</translation>
    </message>
    <message>
        <source>Path</source>
        <translation>路径</translation>
    </message>
    <message>
        <source>Key</source>
        <translation>键</translation>
    </message>
    <message>
        <source>Value</source>
        <translation>值</translation>
    </message>
    <message>
        <source>Summary</source>
        <translation>概要</translation>
    </message>
    <message>
        <source>Metadata</source>
        <translation>元数据</translation>
    </message>
    <message>
        <source>%1 values</source>
        <translation>%1 个值</translation>
    </message>
    <message>
        <source>mixed</source>
        <translation>混合</translation>
    </message>
    <message>
        <source>1 tensor</source>
        <translation>1 个张量</translation>
    </message>
    <message>
        <source>%1 tensors</source>
        <translation>%1 个张量</translation>
    </message>
    <message>
        <source>Layer %1: %2</source>
        <translation>第 %1 层：%2</translation>
    </message>
    <message>
        <source>%1 (%2 bytes)</source>
        <translation>%1（%2 字节）</translation>
    </message>
</context>
</TS>
