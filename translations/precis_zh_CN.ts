<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>CompressController</name>
    <message>
        <source>stopped at end of text</source>
        <translation>已在文本结束处停止</translation>
    </message>
    <message>
        <source>stopped: the context is full</source>
        <translation>已停止：上下文已满</translation>
    </message>
</context>
<context>
    <name>CoreMessage</name>
    <message>
        <source>%1: %2</source>
        <translation>%1：%2</translation>
    </message>
    <message>
        <source>statistics: sequences %1–%2 of %3</source>
        <translation>统计：第 %1–%2 条序列，共 %3 条</translation>
    </message>
    <message>
        <source>gradients: sequences %1–%2 of %3, forward</source>
        <translation>梯度：第 %1–%2 条序列，共 %3 条，前向</translation>
    </message>
    <message>
        <source>gradients: sequences %1–%2 of %3, backward block %4 of %5</source>
        <translation>梯度：第 %1–%2 条序列，共 %3 条，反向第 %4 块，共 %5 块</translation>
    </message>
    <message>
        <source>predicted damage of %1 options</source>
        <translation>%1 个选项的预测损伤</translation>
    </message>
    <message>
        <source>predicted damage %1/%2</source>
        <translation>预测损伤 %1/%2</translation>
    </message>
    <message>
        <source>measuring the original on %1 sequences</source>
        <translation>正在 %1 条序列上测量原始模型</translation>
    </message>
    <message>
        <source>measuring units %1/%2</source>
        <translation>正在测量单元 %1/%2</translation>
    </message>
    <message>
        <source>generating calibration text %1/%2</source>
        <translation>正在生成校准文本 %1/%2</translation>
    </message>
    <message>
        <source>Preparing the engine</source>
        <translation>正在准备推理引擎</translation>
    </message>
    <message>
        <source>Preparing the weights</source>
        <translation>正在准备权重</translation>
    </message>
    <message>
        <source>Reading %1</source>
        <translation>正在读取 %1</translation>
    </message>
    <message>
        <source>Recording the model in the session database</source>
        <translation>正在将模型记录到会话数据库</translation>
    </message>
    <message>
        <source>done</source>
        <translation>完成</translation>
    </message>
    <message>
        <source>compress %1</source>
        <translation>正在压缩 %1</translation>
    </message>
    <message>
        <source>dequantize %1</source>
        <translation>正在反量化 %1</translation>
    </message>
    <message>
        <source>export</source>
        <translation>导出</translation>
    </message>
    <message>
        <source>GPTQ: %1</source>
        <translation>GPTQ：%1</translation>
    </message>
    <message>
        <source>AWQ done</source>
        <translation>AWQ 完成</translation>
    </message>
    <message>
        <source>AWQ: %1</source>
        <translation>AWQ：%1</translation>
    </message>
    <message>
        <source>Preparing the engines</source>
        <translation>正在准备两个推理引擎</translation>
    </message>
    <message>
        <source>Evaluating</source>
        <translation>评估</translation>
    </message>
    <message>
        <source>Per tensor</source>
        <translation>逐张量</translation>
    </message>
    <message>
        <source>measuring the original on %1 × %2 tokens</source>
        <translation>正在 %1 × %2 个词元上测量原始模型</translation>
    </message>
    <message>
        <source>measuring tensors %1/%2: %3</source>
        <translation>正在测量张量 %1/%2：%3</translation>
    </message>
    <message>
        <source>Recording the result</source>
        <translation>正在记录结果</translation>
    </message>
    <message>
        <source>Generating (original)</source>
        <translation>正在生成（原始模型）</translation>
    </message>
    <message>
        <source>Generating (compressed)</source>
        <translation>正在生成（压缩模型）</translation>
    </message>
    <message>
        <source>compare</source>
        <translation>比较</translation>
    </message>
    <message>
        <source>perplexity</source>
        <translation>困惑度</translation>
    </message>
    <message>
        <source>generating text %1/%2 tokens</source>
        <translation>正在生成文本：%1/%2 个词元</translation>
    </message>
    <message>
        <source>warm-up</source>
        <translation>预热</translation>
    </message>
    <message>
        <source>repetition %1 of %2</source>
        <translation>第 %1 次重复，共 %2 次</translation>
    </message>
    <message>
        <source>loading %1</source>
        <translation>加载 %1</translation>
    </message>
    <message>
        <source>writing %1 as GGUF</source>
        <translation>正在将 %1 写为 GGUF</translation>
    </message>
    <message>
        <source>Running the model</source>
        <translation>正在运行模型</translation>
    </message>
    <message>
        <source>calibration cancelled</source>
        <translation>校准已取消</translation>
    </message>
    <message>
        <source>calibration run cancelled</source>
        <translation>校准运行已取消</translation>
    </message>
    <message>
        <source>compression cancelled</source>
        <translation>压缩已取消</translation>
    </message>
    <message>
        <source>per-tensor measurement cancelled</source>
        <translation>逐张量测量已取消</translation>
    </message>
    <message>
        <source>benchmark cancelled</source>
        <translation>基准测试已取消</translation>
    </message>
    <message>
        <source>forward pass cancelled</source>
        <translation>前向计算已取消</translation>
    </message>
    <message>
        <source>gradient computation cancelled</source>
        <translation>梯度计算已取消</translation>
    </message>
    <message>
        <source>comparison cancelled</source>
        <translation>比较已取消</translation>
    </message>
    <message>
        <source>perplexity cancelled</source>
        <translation>困惑度计算已取消</translation>
    </message>
    <message>
        <source>generation cancelled</source>
        <translation>生成已取消</translation>
    </message>
    <message>
        <source>export cancelled</source>
        <translation>导出已取消</translation>
    </message>
    <message>
        <source>hashing cancelled</source>
        <translation>哈希计算已取消</translation>
    </message>
    <message>
        <source>GPTQ cancelled</source>
        <translation>GPTQ 已取消</translation>
    </message>
    <message>
        <source>AWQ cancelled</source>
        <translation>AWQ 已取消</translation>
    </message>
    <message>
        <source>cancelled</source>
        <translation>已取消</translation>
    </message>
    <message>
        <source>no such file or folder</source>
        <translation>文件或文件夹不存在</translation>
    </message>
    <message>
        <source>cannot open file</source>
        <translation>无法打开文件</translation>
    </message>
    <message>
        <source>cannot open file: %1</source>
        <translation>无法打开文件：%1</translation>
    </message>
    <message>
        <source>cannot stat file: %1</source>
        <translation>无法读取文件信息：%1</translation>
    </message>
    <message>
        <source>cannot memory-map file: %1</source>
        <translation>无法内存映射文件：%1</translation>
    </message>
    <message>
        <source>read error: %1</source>
        <translation>读取错误：%1</translation>
    </message>
    <message>
        <source>read error while hashing: %1</source>
        <translation>计算哈希时读取错误：%1</translation>
    </message>
    <message>
        <source>not a regular file</source>
        <translation>不是普通文件</translation>
    </message>
    <message>
        <source>cannot create file: %1</source>
        <translation>无法创建文件：%1</translation>
    </message>
    <message>
        <source>write failed: %1</source>
        <translation>写入失败：%1</translation>
    </message>
    <message>
        <source>cannot rename temporary file into place: %1</source>
        <translation>无法将临时文件重命名为目标文件：%1</translation>
    </message>
    <message>
        <source>cannot write: the folder &apos;%1&apos; does not exist</source>
        <translation>无法写入：文件夹 &apos;%1&apos; 不存在</translation>
    </message>
    <message>
        <source>file is larger than the limit of %1 bytes</source>
        <translation>文件超过 %1 字节的上限</translation>
    </message>
    <message>
        <source>file is empty, expected a GGUF header</source>
        <translation>文件为空，应有 GGUF 文件头</translation>
    </message>
    <message>
        <source>bad magic &apos;%1&apos;, expected &apos;GGUF&apos; (not a GGUF file)</source>
        <translation>魔数 &apos;%1&apos; 无效，应为 &apos;GGUF&apos;（不是 GGUF 文件）</translation>
    </message>
    <message>
        <source>version %1 is not supported, expected 2 or 3</source>
        <translation>不支持版本 %1，应为 2 或 3</translation>
    </message>
    <message>
        <source>file ends at byte %1 while reading %2 (%3 bytes at offset %4)</source>
        <translation>读取 %2 时文件在第 %1 字节处结束（偏移 %4 处的 %3 字节）</translation>
    </message>
    <message>
        <source>duplicate tensor name (first as tensor #%1)</source>
        <translation>张量名称重复（首次出现为张量 #%1）</translation>
    </message>
    <message>
        <source>ggml type %1 is not a known tensor type</source>
        <translation>ggml 类型 %1 不是已知的张量类型</translation>
    </message>
    <message>
        <source>duplicate tensor name</source>
        <translation>张量名称重复</translation>
    </message>
    <message>
        <source>unknown tensor name</source>
        <translation>未知的张量名称</translation>
    </message>
    <message>
        <source>tensor &apos;%1&apos; is missing (expected shape %2)</source>
        <translation>缺少张量 &apos;%1&apos;（应为形状 %2）</translation>
    </message>
    <message>
        <source>tensor &apos;%1&apos; has shape %2, expected %3</source>
        <translation>张量 &apos;%1&apos; 的形状为 %2，应为 %3</translation>
    </message>
    <message>
        <source>tensor &apos;%1&apos; is missing</source>
        <translation>缺少张量 &apos;%1&apos;</translation>
    </message>
    <message>
        <source>tensor &apos;%1&apos;</source>
        <translation>张量 &apos;%1&apos;</translation>
    </message>
    <message>
        <source>tensor #%1</source>
        <translation>张量 #%1</translation>
    </message>
    <message>
        <source>key &apos;%1&apos;</source>
        <translation>键 &apos;%1&apos;</translation>
    </message>
    <message>
        <source>key #%1</source>
        <translation>键 #%1</translation>
    </message>
    <message>
        <source>config.json not found (not a Hugging Face model folder)</source>
        <translation>未找到 config.json（不是 Hugging Face 模型文件夹）</translation>
    </message>
    <message>
        <source>holds neither model.safetensors nor model.safetensors.index.json</source>
        <translation>既没有 model.safetensors，也没有 model.safetensors.index.json</translation>
    </message>
    <message>
        <source>file is %1 bytes, too short for the 28-byte llama2.c header</source>
        <translation>文件只有 %1 字节，不足以容纳 28 字节的 llama2.c 文件头</translation>
    </message>
    <message>
        <source>no tokenizer: %1 not found (give the tokenizer.bin path)</source>
        <translation>没有分词器：未找到 %1（请指定 tokenizer.bin 的路径）</translation>
    </message>
    <message>
        <source>the model carries no tokenizer</source>
        <translation>该模型不含分词器</translation>
    </message>
    <message>
        <source>tokenizer</source>
        <translation>分词器</translation>
    </message>
    <message>
        <source>not an SQLite database (the file does not start with &quot;SQLite format 3&quot;)</source>
        <translation>不是 SQLite 数据库（文件开头不是 &quot;SQLite format 3&quot;）</translation>
    </message>
    <message>
        <source>not a Precis session database (an SQLite database with other tables and no schema version)</source>
        <translation>不是 Precis 会话数据库（该 SQLite 数据库含有其他表且没有架构版本）</translation>
    </message>
    <message>
        <source>the database is corrupt (quick_check: %1)</source>
        <translation>数据库已损坏（quick_check：%1）</translation>
    </message>
    <message>
        <source>the database is corrupt (%1)</source>
        <translation>数据库已损坏（%1）</translation>
    </message>
    <message>
        <source>the database has schema version %1, newer than this build of Precis understands (up to version %2); open it with a newer Precis</source>
        <translation>数据库的架构版本为 %1，高于此版本 Precis 能识别的版本（最高为 %2）；请用更新的 Precis 打开</translation>
    </message>
    <message>
        <source>session %1 does not exist</source>
        <translation>会话 %1 不存在</translation>
    </message>
    <message>
        <source>cannot import: not a readable file</source>
        <translation>无法导入：不是可读文件</translation>
    </message>
    <message>
        <source>the calibration text is empty</source>
        <translation>校准文本为空</translation>
    </message>
    <message>
        <source>the text has %1 tokens, expected at least %2 for one sequence of %3 (use fewer or shorter sequences, or more text)</source>
        <translation>文本只有 %1 个词元，一条长度为 %3 的序列至少需要 %2 个（请减少序列数或长度，或提供更多文本）</translation>
    </message>
    <message>
        <source>number of sequences %1, expected 1..%2</source>
        <translation>序列数为 %1，应为 1..%2</translation>
    </message>
    <message>
        <source>sequence length %1, expected 2..%2</source>
        <translation>序列长度为 %1，应为 2..%2</translation>
    </message>
    <message>
        <source>sequence length %1 exceeds the model&apos;s context of %2 tokens</source>
        <translation>序列长度 %1 超出了模型 %2 个词元的上下文</translation>
    </message>
    <message>
        <source>the vocabulary has no BOS token to start from</source>
        <translation>词表中没有可作为开头的 BOS 词元</translation>
    </message>
    <message>
        <source>the model stopped after %1 of %2 tokens (context full)</source>
        <translation>模型在 %2 个词元中的第 %1 个处停止（上下文已满）</translation>
    </message>
    <message>
        <source>text of %1 tokens is shorter than one chunk of %2</source>
        <translation>%1 个词元的文本短于一个长度为 %2 的分块</translation>
    </message>
    <message>
        <source>perplexity context %1 exceeds the model&apos;s n_ctx = %2</source>
        <translation>困惑度上下文 %1 超出了模型的 n_ctx = %2</translation>
    </message>
    <message>
        <source>comparison context %1, expected at least 3 tokens</source>
        <translation>比较上下文为 %1，应至少为 3 个词元</translation>
    </message>
    <message>
        <source>vocabularies differ: %1 vs %2 tokens; models can only be compared on the same vocabulary</source>
        <translation>词表不同：%1 与 %2 个词元；只能比较词表相同的模型</translation>
    </message>
    <message>
        <source>sequence of %1 tokens exceeds the context length n_ctx = %2</source>
        <translation>%1 个词元的序列超出了上下文长度 n_ctx = %2</translation>
    </message>
    <message>
        <source>the text file is empty; expected text to train on</source>
        <translation>文本文件为空；需要用于训练的文本</translation>
    </message>
    <message>
        <source>calibration text</source>
        <translation>校准文本</translation>
    </message>
    <message>
        <source>evaluation text</source>
        <translation>评估文本</translation>
    </message>
    <message>
        <source>no file given: choose a text to measure on</source>
        <translation>未指定文件：请选择用于测量的文本</translation>
    </message>
    <message>
        <source>%1 needs calibration text: choose a file</source>
        <translation>%1 需要校准文本：请选择文件</translation>
    </message>
    <message>
        <source>%1 needs calibration text</source>
        <translation>%1 需要校准文本</translation>
    </message>
    <message>
        <source>prompt</source>
        <translation>提示词</translation>
    </message>
    <message>
        <source>empty: type a few words to continue</source>
        <translation>为空：请输入几个词以便续写</translation>
    </message>
    <message>
        <source>gives no tokens</source>
        <translation>不产生任何词元</translation>
    </message>
    <message>
        <source>no model is open</source>
        <translation>未打开模型</translation>
    </message>
    <message>
        <source>the text gives no tokens: type some text first</source>
        <translation>文本不产生任何词元：请先输入文本</translation>
    </message>
    <message>
        <source>plan</source>
        <translation>方案</translation>
    </message>
    <message>
        <source>the model has no weight matrix to compress</source>
        <translation>该模型没有可压缩的权重矩阵</translation>
    </message>
    <message>
        <source>not enough memory to hold the weights as fp32</source>
        <translation>内存不足，无法以 fp32 保存权重</translation>
    </message>
    <message>
        <source>this build has no CUDA backend (nvcc was not found when it was configured)</source>
        <translation>此构建没有 CUDA 后端（配置时未找到 nvcc）</translation>
    </message>
    <message>
        <source>no CUDA device: the CUDA runtime found none</source>
        <translation>没有 CUDA 设备：CUDA 运行时未找到任何设备</translation>
    </message>
    <message>
        <source>no model to benchmark</source>
        <translation>没有要进行基准测试的模型</translation>
    </message>
    <message>
        <source>no measured compression with a prediction to rescale from: compress an allocation and measure it on an evaluation text first (a perplexity increase above zero is needed)</source>
        <translation>没有带预测值的已测压缩结果可用于重新缩放：请先压缩一个分配方案并在评估文本上测量（需要困惑度的增幅大于零）</translation>
    </message>
    <message>
        <source>%1 cancelled</source>
        <translation>%1 已取消</translation>
    </message>
    <message>
        <source>attention</source>
        <translation>注意力计算</translation>
    </message>
    <message>
        <source>the model file carries no tokenizer</source>
        <translation>该模型文件不含分词器</translation>
    </message>
    <message>
        <source>Writing calibration text</source>
        <translation>模型正在生成校准文本</translation>
    </message>
    <message>
        <source>%1 needs calibration text: choose a file (or let the model write it)</source>
        <translation>%1 需要校准文本：请选择文件（或让模型自行生成）</translation>
    </message>
    <message>
        <source>no file given: choose a text to calibrate on</source>
        <translation>未指定文件：请选择用于校准的文本</translation>
    </message>
    <message>
        <source>measuring each tensor needs an evaluation text: choose one</source>
        <translation>逐个测量张量需要评估文本：请选择一个</translation>
    </message>
    <message>
        <source>measuring needs the model&apos;s tokenizer</source>
        <translation>测量需要模型的分词器</translation>
    </message>
    <message>
        <source>calibration needs the model&apos;s tokenizer</source>
        <translation>校准需要模型的分词器</translation>
    </message>
</context>
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
    <name>precis::app::AllocationsDialog</name>
    <message>
        <source>Allocations of session &apos;%1&apos;</source>
        <translation>会话“%1”的分配</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>名称</translation>
    </message>
    <message>
        <source>Budget</source>
        <translation>预算</translation>
    </message>
    <message>
        <source>Size</source>
        <translation>大小</translation>
    </message>
    <message>
        <source>Bits/weight</source>
        <translation>位/权重</translation>
    </message>
    <message>
        <source>Predicted Δppl %</source>
        <translation>预测 Δppl %</translation>
    </message>
    <message>
        <source>Predicted KL</source>
        <translation>预测 KL</translation>
    </message>
    <message>
        <source>Units</source>
        <translation>单元数</translation>
    </message>
    <message>
        <source>Differing from the first</source>
        <translation>与第一个不同</translation>
    </message>
    <message>
        <source>Load into Budget Tab</source>
        <translation>载入“预算”标签页</translation>
    </message>
    <message>
        <source>Its budget, unit granularity, metric, options and pins replace the Budget tab&apos;s settings</source>
        <translation>其预算、单元粒度、指标、选项和固定设置将成为“预算”标签页的设置</translation>
    </message>
    <message>
        <source>Compress…</source>
        <translation>压缩…</translation>
    </message>
    <message>
        <source>The Compress tab with this allocation, exactly as saved, as its plan</source>
        <translation>打开“压缩”标签页，并以此分配（与保存时完全一致）作为其计划</translation>
    </message>
    <message>
        <source>Export Recipe…</source>
        <translation>导出配方…</translation>
    </message>
    <message>
        <source>Its recipe JSON, and the llama-quantize arguments that write the same types</source>
        <translation>其配方 JSON，以及能写出相同类型的 llama-quantize 参数</translation>
    </message>
    <message>
        <source>Delete</source>
        <translation>删除</translation>
    </message>
    <message>
        <source>Delete allocation</source>
        <translation>删除分配</translation>
    </message>
    <message>
        <source>Delete the allocation &apos;%1&apos; from the session? Compressions made from it keep their results.</source>
        <translation>要从会话中删除分配“%1”吗？由它生成的压缩结果会保留。</translation>
    </message>
    <message>
        <source>—</source>
        <translation>—</translation>
    </message>
    <message>
        <source>Export</source>
        <translation>导出</translation>
    </message>
</context>
<context>
    <name>precis::app::BenchmarkController</name>
    <message>
        <source>Original: %1</source>
        <translation>原始：%1</translation>
    </message>
    <message>
        <source>Compressed: %1</source>
        <translation>压缩：%1</translation>
    </message>
    <message>
        <source>Kept in memory; written to a temporary GGUF file for the run.</source>
        <translation>保存在内存中；运行时写入临时 GGUF 文件。</translation>
    </message>
    <message>
        <source>File: %1</source>
        <translation>文件：%1</translation>
    </message>
    <message>
        <source>Check at least one model to benchmark.</source>
        <translation>请至少勾选一个要测试的模型。</translation>
    </message>
    <message>
        <source>Cannot create a temporary folder for the compressed models: %1</source>
        <translation>无法为压缩模型创建临时文件夹：%1</translation>
    </message>
    <message>
        <source>Benchmark: measuring memory bandwidth</source>
        <translation>基准测试：正在测量内存带宽</translation>
    </message>
    <message>
        <source>Memory bandwidth %1 GB/s</source>
        <translation>内存带宽 %1 GB/s</translation>
    </message>
    <message>
        <source>Benchmark: %1</source>
        <translation>基准测试：%1</translation>
    </message>
    <message>
        <source>Benchmark of %1: %2</source>
        <translation>%1 的基准测试：%2</translation>
    </message>
    <message>
        <source>Benchmark stopped.</source>
        <translation>基准测试已停止。</translation>
    </message>
    <message>
        <source>Done; the results are stored in session &apos;%1&apos;.</source>
        <translation>完成；结果已保存在会话“%1”中。</translation>
    </message>
    <message>
        <source>Done; no session is open, so the results are not stored.</source>
        <translation>完成；没有打开的会话，结果未保存。</translation>
    </message>
</context>
<context>
    <name>precis::app::BudgetDocument</name>
    <message>
        <source>This option table cannot be allocated: %1</source>
        <translation>无法为此选项表进行分配：%1</translation>
    </message>
    <message numerus="yes">
        <source>%n pin(s) do not fit this table and were dropped: %1</source>
        <translation>
            <numerusform>%n 个固定设置与此表不符，已丢弃：%1</numerusform>
        </translation>
    </message>
    <message>
        <source>Could not solve the allocation: %1</source>
        <translation>无法求解分配：%1</translation>
    </message>
    <message>
        <source>Unpin %1</source>
        <translation>取消固定 %1</translation>
    </message>
    <message>
        <source>Pin %1 to %2</source>
        <translation>将 %1 固定为 %2</translation>
    </message>
    <message numerus="yes">
        <source>Unpin %n units</source>
        <translation>
            <numerusform>取消固定 %n 个单元</numerusform>
        </translation>
    </message>
    <message>
        <source>This table came without its calibration report: its settings cannot change.</source>
        <translation>此表没有附带校准报告：其设置无法更改。</translation>
    </message>
</context>
<context>
    <name>precis::app::CalibrationDialog</name>
    <message>
        <source>Memory</source>
        <translation>内存</translation>
    </message>
    <message>
        <source>The run may use this much memory; a run estimated to need more is refused before it starts (default: 80 % of this machine&apos;s memory)</source>
        <translation>运行最多可使用这么多内存；估计需要更多内存的运行会在开始前被拒绝（默认：本机内存的 80 %）</translation>
    </message>
    <message>
        <source>Memory limit:</source>
        <translation>内存上限：</translation>
    </message>
    <message>
        <source>Estimated peak:</source>
        <translation>估计峰值：</translation>
    </message>
    <message>
        <source>%1 of %2%3</source>
        <translation>%1 / %2%3</translation>
    </message>
    <message>
        <source> (measurements without the residual cache: slower)</source>
        <translation>（测量不使用残差缓存：较慢）</translation>
    </message>
    <message>
        <source> (Gram matrices in a scratch file: slower)</source>
        <translation>（Gram 矩阵放在临时文件中：较慢）</translation>
    </message>
    <message>
        <source>Calibrate</source>
        <translation>校准</translation>
    </message>
    <message>
        <source>Calibration text</source>
        <translation>校准文本</translation>
    </message>
    <message>
        <source>Text file:</source>
        <translation>文本文件：</translation>
    </message>
    <message>
        <source>UTF-8 text, ideally like what the model will see</source>
        <translation>UTF-8 文本，最好与模型将来处理的文本相似</translation>
    </message>
    <message>
        <source>Browse…</source>
        <translation>浏览…</translation>
    </message>
    <message>
        <source>Self-generated by the model (no data needed)</source>
        <translation>由模型自行生成（无需数据）</translation>
    </message>
    <message>
        <source>The model writes each sequence from BOS (temperature 0.8, top-p 0.95, seeded)</source>
        <translation>模型从 BOS 开始生成每个序列（温度 0.8，top-p 0.95，使用固定随机种子）</translation>
    </message>
    <message>
        <source>Sequences</source>
        <translation>序列</translation>
    </message>
    <message>
        <source>N: calibration sequences</source>
        <translation>N：校准序列数</translation>
    </message>
    <message>
        <source>T: tokens predicted per sequence, at most the model&apos;s context (%1)</source>
        <translation>T：每个序列预测的词元数，最多为模型的上下文长度（%1）</translation>
    </message>
    <message>
        <source>Seed of the window offsets or of the generated text</source>
        <translation>窗口偏移或生成文本的随机种子</translation>
    </message>
    <message>
        <source>Sequences per forward and backward pass; more is faster and uses more memory</source>
        <translation>每次前向和反向传播处理的序列数；越多越快，但占用更多内存</translation>
    </message>
    <message>
        <source>Sequences (N):</source>
        <translation>序列数（N）：</translation>
    </message>
    <message>
        <source>Length (T):</source>
        <translation>长度（T）：</translation>
    </message>
    <message>
        <source>Seed:</source>
        <translation>随机种子：</translation>
    </message>
    <message>
        <source>Batch (sequences):</source>
        <translation>批大小（序列数）：</translation>
    </message>
    <message>
        <source>Analysis</source>
        <translation>分析</translation>
    </message>
    <message>
        <source>Largest layer input width for which the full Gram matrix is kept</source>
        <translation>保留完整 Gram 矩阵的最大层输入宽度</translation>
    </message>
    <message>
        <source>Layers with at most this many inputs keep the full input Gram matrix H = Σ x xᵀ (exact output-weighted error, memory grows with inputs²); wider layers keep its diagonal only.</source>
        <translation>输入数不超过此值的层保留完整的输入 Gram 矩阵 H = Σ x xᵀ（输出加权误差精确，内存随输入数²增长）；更宽的层只保留其对角线。</translation>
    </message>
    <message>
        <source>all standard schemes and RTN 2–8 bits</source>
        <translation>所有标准方案以及 RTN 2–8 位</translation>
    </message>
    <message>
        <source>Options whose predicted damage is computed for every tensor and head, comma-separated (e.g. Q8_0, Q6_K, Q4_K, RTN4g32); empty: all</source>
        <translation>为每个张量和注意力头计算预测损害的选项，以逗号分隔（例如 Q8_0, Q6_K, Q4_K, RTN4g32）；留空：全部</translation>
    </message>
    <message>
        <source>Options at which every tensor and head is quantized alone and measured; the first is also the reference of the Fisher chunk maps</source>
        <translation>将每个张量和注意力头单独量化并测量时所用的选项；第一个同时也是 Fisher 块图的参考选项</translation>
    </message>
    <message>
        <source>Measure the ground truth (Δloss and KL per unit at the probe options)</source>
        <translation>测量真实值（各单元在探测选项下的 Δloss 和 KL）</translation>
    </message>
    <message>
        <source>Head ablation (Δloss with each head removed)</source>
        <translation>注意力头消融（逐个移除注意力头后的 Δloss）</translation>
    </message>
    <message>
        <source>The first M calibration sequences are used for the measurements</source>
        <translation>前 M 个校准序列用于测量</translation>
    </message>
    <message>
        <source>Predicted damage on full Gram matrices wider than 4 × this many inputs uses their Nyström sketch of this many columns plus the exact diagonal (faster on large models); 0: always exact</source>
        <translation>输入宽度超过此值 4 倍的完整 Gram 矩阵，其预测损伤使用该列数的 Nyström 草图加上精确对角线（大模型上更快）；0：始终精确</translation>
    </message>
    <message>
        <source>Damage sketch (columns):</source>
        <translation>损伤草图（列数）：</translation>
    </message>
    <message>
        <source>Each option&apos;s predicted damage is computed from at most this many rows of each tensor, spread evenly (over each head&apos;s rows in q, k and v); 0: every row</source>
        <translation>每个选项的预测损伤最多由每个张量的这么多行计算，均匀分布（在 q、k、v 中按每个注意力头的行）；0：所有行</translation>
    </message>
    <message>
        <source>Damage rows (per tensor):</source>
        <translation>损伤行数（每个张量）：</translation>
    </message>
    <message>
        <source>At most this many tensors and this many heads are measured per probe option (and ablated), spread evenly over the model; 0: all</source>
        <translation>每个探测选项最多测量（及消融）这么多张量和这么多注意力头，在模型中均匀分布；0：全部</translation>
    </message>
    <message>
        <source>Measured units (each kind):</source>
        <translation>测量单元数（每类）：</translation>
    </message>
    <message>
        <source>Gram size limit:</source>
        <translation>Gram 矩阵大小上限：</translation>
    </message>
    <message>
        <source>Predicted for:</source>
        <translation>预测选项：</translation>
    </message>
    <message>
        <source>Probe options:</source>
        <translation>探测选项：</translation>
    </message>
    <message>
        <source>Measurement sequences:</source>
        <translation>测量序列数：</translation>
    </message>
    <message>
        <source>Calibration Text</source>
        <translation>校准文本</translation>
    </message>
    <message>
        <source>Text files (*.txt *.md);;All files (*)</source>
        <translation>文本文件 (*.txt *.md);;所有文件 (*)</translation>
    </message>
    <message>
        <source>Choose a text file, or let the model write its own text.</source>
        <translation>请选择一个文本文件，或让模型自行生成文本。</translation>
    </message>
</context>
<context>
    <name>precis::app::CompressController</name>
    <message>
        <source>No allocation yet: calibrate, then choose a budget in the Budget tab.</source>
        <translation>尚无分配：请先校准，然后在“预算”标签页中选择预算。</translation>
    </message>
    <message>
        <source>(re-solving after a pin…)</source>
        <translation>（固定后正在重新求解…）</translation>
    </message>
    <message>
        <source>Open a model first.</source>
        <translation>请先打开一个模型。</translation>
    </message>
    <message>
        <source>Measuring needs the model&apos;s tokenizer: %1</source>
        <translation>测量需要模型的分词器：%1</translation>
    </message>
    <message>
        <source>no allocation yet: calibrate, then choose a budget in the Budget tab</source>
        <translation>尚无分配：请先校准，然后在“预算”标签页中选择预算</translation>
    </message>
    <message>
        <source>the Budget tab is still re-solving; try again in a moment</source>
        <translation>“预算”标签页仍在重新求解；请稍后再试</translation>
    </message>
    <message>
        <source>choose a text to measure on</source>
        <translation>请选择用于测量的文本</translation>
    </message>
    <message>
        <source>%1 needs a calibration text</source>
        <translation>%1 需要校准文本</translation>
    </message>
    <message>
        <source>Compressing &apos;%1&apos;… (memory: %2)</source>
        <translation>正在压缩“%1”…（内存：%2）</translation>
    </message>
    <message>
        <source>Compressing %1</source>
        <translation>正在压缩 %1</translation>
    </message>
    <message>
        <source>Cancelled: nothing was stored.</source>
        <translation>已取消：未存储任何内容。</translation>
    </message>
    <message>
        <source>The model changed while &apos;%1&apos; was compressed: the result was dropped.</source>
        <translation>压缩“%1”期间模型发生了变化：结果已丢弃。</translation>
    </message>
    <message>
        <source>The result is not stored: %1</source>
        <translation>结果未存储：%1</translation>
    </message>
    <message>
        <source>&apos;%1&apos;: %2 bits/weight, perplexity ×%3, KL %4 nats, top-1 %5 % (%6 s).</source>
        <translation>“%1”：%2 位/权重，困惑度 ×%3，KL %4 nats，top-1 %5%（%6 秒）。</translation>
    </message>
    <message>
        <source>Generation needs the model&apos;s tokenizer.</source>
        <translation>生成需要模型的分词器。</translation>
    </message>
    <message>
        <source>Choose a compressed model that is still in memory (run one first).</source>
        <translation>请选择一个仍在内存中的压缩模型（请先运行一次压缩）。</translation>
    </message>
    <message>
        <source>Generating</source>
        <translation>正在生成</translation>
    </message>
    <message>
        <source>Generation cancelled.</source>
        <translation>生成已取消。</translation>
    </message>
    <message numerus="yes">
        <source>Identical: both models wrote the same %n token(s).</source>
        <translation>
            <numerusform>完全相同：两个模型写出了相同的 %n 个词元。</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>The texts part at new token %1 (highlighted); the first %n token(s) agree.</source>
        <translation>
            <numerusform>两段文本从第 %1 个新词元处开始不同（已高亮）；前 %n 个词元一致。</numerusform>
        </translation>
    </message>
    <message>
        <source>Original</source>
        <translation>原始模型</translation>
    </message>
    <message>
        <source>Compressed: %1</source>
        <translation>压缩后：%1</translation>
    </message>
    <message numerus="yes">
        <source>%n tensor(s) measured one at a time in %1 s.</source>
        <translation>
            <numerusform>逐个测量了 %n 个张量，用时 %1 秒。</numerusform>
        </translation>
    </message>
    <message>
        <source>budget %1: %2 MB · %3 bits/weight · predicted Δppl +%4 %</source>
        <translation>预算 %1：%2 MB · %3 位/权重 · 预测 Δppl +%4%</translation>
    </message>
    <message>
        <source>Per-head units give parts of a tensor their own types.</source>
        <translation>按注意力头划分的单元会让张量的各部分使用各自的类型。</translation>
    </message>
    <message>
        <source>the session has no allocation named &apos;%1&apos;</source>
        <translation>会话中没有名为“%1”的分配</translation>
    </message>
</context>
<context>
    <name>precis::app::ExportDialog</name>
    <message>
        <source>Export &apos;%1&apos;</source>
        <translation>导出“%1”</translation>
    </message>
    <message>
        <source>GGUF file (llama.cpp, Ollama)</source>
        <translation>GGUF 文件（llama.cpp、Ollama）</translation>
    </message>
    <message>
        <source>Hugging Face folder (safetensors)</source>
        <translation>Hugging Face 文件夹（safetensors）</translation>
    </message>
    <message>
        <source>Recipe (JSON: a scheme per tensor)</source>
        <translation>配方（JSON：每个张量一个方案）</translation>
    </message>
    <message>
        <source>Every tensor is dequantized to this type (safetensors has no block formats)</source>
        <translation>每个张量都会反量化为此类型（safetensors 没有块格式）</translation>
    </message>
    <message>
        <source>Copy</source>
        <translation>复制</translation>
    </message>
    <message>
        <source>Copy the command line to the clipboard</source>
        <translation>将命令行复制到剪贴板</translation>
    </message>
    <message>
        <source>Export</source>
        <translation>导出</translation>
    </message>
    <message>
        <source>Format:</source>
        <translation>格式：</translation>
    </message>
    <message>
        <source>Write to:</source>
        <translation>写入到：</translation>
    </message>
    <message>
        <source>Element type:</source>
        <translation>元素类型：</translation>
    </message>
    <message>
        <source>The same types with llama.cpp, from the original model:</source>
        <translation>用 llama.cpp 从原始模型得到相同的类型：</translation>
    </message>
    <message>
        <source>llama.cpp cannot write this plan: %1</source>
        <translation>llama.cpp 无法写出此计划：%1</translation>
    </message>
    <message>
        <source># the input must be the original as an F32/F16 GGUF file (llama.cpp&apos;s convert_hf_to_gguf.py makes one)</source>
        <translation># 输入必须是 F32/F16 GGUF 格式的原始模型（可用 llama.cpp 的 convert_hf_to_gguf.py 生成）</translation>
    </message>
    <message>
        <source>The compressed model is no longer in memory: run it again to export it, or export its recipe.</source>
        <translation>压缩模型已不在内存中：请重新运行以导出该模型，或导出其配方。</translation>
    </message>
    <message>
        <source>A folder with config.json, model.safetensors and the tokenizer; quantized tensors are dequantized.</source>
        <translation>包含 config.json、model.safetensors 和分词器的文件夹；量化的张量会被反量化。</translation>
    </message>
    <message>
        <source>precis-cli compress --recipe FILE applies it to the original model again.</source>
        <translation>precis-cli compress --recipe FILE 可将其再次应用于原始模型。</translation>
    </message>
    <message>
        <source>Folder to Write Into</source>
        <translation>目标文件夹</translation>
    </message>
    <message>
        <source>GGUF (*.gguf)</source>
        <translation>GGUF (*.gguf)</translation>
    </message>
    <message>
        <source>JSON (*.json)</source>
        <translation>JSON (*.json)</translation>
    </message>
    <message>
        <source>Choose where to write.</source>
        <translation>请选择写入位置。</translation>
    </message>
    <message numerus="yes">
        <source>Wrote %1 (%n tensor(s)).</source>
        <translation>
            <numerusform>已写入 %1（%n 个张量）。</numerusform>
        </translation>
    </message>
    <message>
        <source>The compressed model is no longer in memory: run it again to export it.</source>
        <translation>压缩模型已不在内存中：请重新运行以导出该模型。</translation>
    </message>
    <message>
        <source>Nothing written.</source>
        <translation>未写入任何内容。</translation>
    </message>
    <message>
        <source>Writing %1…</source>
        <translation>正在写入 %1…</translation>
    </message>
    <message>
        <source>Exporting %1</source>
        <translation>正在导出 %1</translation>
    </message>
    <message>
        <source>Wrote %1 (%2).</source>
        <translation>已写入 %1（%2）。</translation>
    </message>
    <message>
        <source>Export failed: %1</source>
        <translation>导出失败：%1</translation>
    </message>
    <message>
        <source>the nearest GGUF type (at least as many bits)</source>
        <translation>最接近的 GGUF 类型（位数不少于原类型）</translation>
    </message>
    <message>
        <source>F16</source>
        <translation>F16</translation>
    </message>
    <message>
        <source>refuse (write nothing)</source>
        <translation>拒绝（不写入任何内容）</translation>
    </message>
    <message>
        <source>GGUF has no type for Precis&apos; RTN format or for tensors whose heads have different types: how to store them</source>
        <translation>GGUF 没有对应 Precis RTN 格式的类型，也没有对应各注意力头类型不同的张量的类型：选择如何存储它们</translation>
    </message>
    <message>
        <source>Precis-native tensors as:</source>
        <translation>Precis 原生张量存储为：</translation>
    </message>
    <message numerus="yes">
        <source>%n tensor(s) hold Precis-native types (RTN, or heads of different types), which GGUF cannot store: the export will refuse them.</source>
        <translation>
            <numerusform>%n 个张量使用 GGUF 无法存储的 Precis 原生类型（RTN，或各注意力头类型不同）：导出将拒绝这些张量。</numerusform>
        </translation>
    </message>
    <message>
        <source>%1: %2 → %3</source>
        <translation>%1：%2 → %3</translation>
    </message>
    <message numerus="yes">
        <source>… and %n more</source>
        <translation>
            <numerusform>… 以及另外 %n 个</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n tensor(s) hold Precis-native types, which GGUF cannot store; in the file they become:</source>
        <translation>
            <numerusform>%n 个张量使用 GGUF 无法存储的 Precis 原生类型；它们在文件中将变为：</numerusform>
        </translation>
    </message>
    <message>
        <source>Their bytes: %1 → %2 (the rest of the file is unchanged); the file&apos;s accuracy is that of the stored types, not the plan&apos;s — measure the file with precis-cli eval.</source>
        <translation>其字节数：%1 → %2（文件其余部分不变）；文件的精度取决于实际存储的类型，而非计划中的类型——请用 precis-cli eval 测量该文件。</translation>
    </message>
</context>
<context>
    <name>precis::app::Language</name>
    <message>
        <source>&amp;Language</source>
        <translation>语言(&amp;L)</translation>
    </message>
    <message>
        <source>Language</source>
        <translation>语言</translation>
    </message>
    <message>
        <source>The language changes to %1 when Precis is started next.</source>
        <translation>下次启动 Precis 时，界面语言将切换为%1。</translation>
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
    <message>
        <source>Sensitivity</source>
        <translation>敏感度</translation>
    </message>
    <message>
        <source>The budget needs a sensitivity report: run Analyze ▸ Calibrate…</source>
        <translation>预算需要敏感度报告：请运行 分析 ▸ 校准…</translation>
    </message>
    <message>
        <source>Budget</source>
        <translation>预算</translation>
    </message>
    <message>
        <source>&amp;New Session…</source>
        <translation>新建会话(&amp;N)…</translation>
    </message>
    <message>
        <source>Start a new session for the open model; calibrations and allocations are stored in it</source>
        <translation>为已打开的模型新建会话；校准和分配结果都保存在其中</translation>
    </message>
    <message>
        <source>Recent S&amp;essions</source>
        <translation>最近的会话(&amp;E)</translation>
    </message>
    <message>
        <source>&amp;Train Micro Model…</source>
        <translation>训练微型模型(&amp;T)…</translation>
    </message>
    <message>
        <source>Train a small model from scratch on a text file</source>
        <translation>用文本文件从零开始训练一个小模型</translation>
    </message>
    <message>
        <source>&amp;Edit</source>
        <translation>编辑(&amp;E)</translation>
    </message>
    <message>
        <source>No sensitivity report yet: run Analyze ▸ Calibrate…</source>
        <translation>尚无敏感度报告：请运行 分析 ▸ 校准…</translation>
    </message>
    <message>
        <source>&amp;Analyze</source>
        <translation>分析(&amp;A)</translation>
    </message>
    <message>
        <source>&amp;Calibrate…</source>
        <translation>校准(&amp;C)…</translation>
    </message>
    <message>
        <source>Ctrl+K</source>
        <translation>Ctrl+K</translation>
    </message>
    <message>
        <source>Measure how sensitive each layer, head and 8×8 block of the model is</source>
        <translation>测量模型中每一层、每个注意力头和每个 8×8 块的敏感度</translation>
    </message>
    <message>
        <source>Calibrating: the heatmaps fill in as the run goes (progress below).</source>
        <translation>正在校准：热图会随运行逐步填充（进度见下方）。</translation>
    </message>
    <message>
        <source>Precis — %1 (%2)</source>
        <translation>Precis — %1（%2）</translation>
    </message>
    <message>
        <source>Open a model first: a session belongs to a model.</source>
        <translation>请先打开一个模型：会话从属于模型。</translation>
    </message>
    <message>
        <source>New Session</source>
        <translation>新建会话</translation>
    </message>
    <message>
        <source>Session name:</source>
        <translation>会话名称：</translation>
    </message>
    <message>
        <source>No session yet: allocations are saved in a session (Budget ▸ Save allocation…).</source>
        <translation>尚无会话：分配保存在会话中（预算 ▸ 保存分配…）。</translation>
    </message>
    <message>
        <source>Compress</source>
        <translation>压缩</translation>
    </message>
    <message>
        <source>&amp;Compress</source>
        <translation>压缩(&amp;C)</translation>
    </message>
    <message>
        <source>Compress &amp;&amp; &amp;Measure</source>
        <translation>压缩并测量(&amp;M)</translation>
    </message>
    <message>
        <source>Ctrl+M</source>
        <translation>Ctrl+M</translation>
    </message>
    <message>
        <source>Compress the model with the Compress tab&apos;s settings and measure it against the original</source>
        <translation>按“压缩”标签页的设置压缩模型，并与原始模型对比测量</translation>
    </message>
    <message>
        <source>&amp;Export Selected Result…</source>
        <translation>导出所选结果(&amp;E)…</translation>
    </message>
    <message>
        <source>Select a result in the Compress tab first.</source>
        <translation>请先在“压缩”标签页中选择一个结果。</translation>
    </message>
    <message>
        <source>Benchmark</source>
        <translation>基准测试</translation>
    </message>
    <message>
        <source>Add a Model to Benchmark</source>
        <translation>添加要测试的模型</translation>
    </message>
    <message>
        <source>GGUF models (*.gguf);;All files (*)</source>
        <translation>GGUF 模型 (*.gguf);;所有文件 (*)</translation>
    </message>
    <message>
        <source>&amp;Benchmark…</source>
        <translation>基准测试(&amp;B)…</translation>
    </message>
    <message>
        <source>Ctrl+B</source>
        <translation>Ctrl+B</translation>
    </message>
    <message>
        <source>Prefill and decode speed, memory and size of the original and the compressed models</source>
        <translation>原始模型与压缩模型的预填充和解码速度、内存与大小</translation>
    </message>
    <message>
        <source>Cannot calibrate the predictor: %1</source>
        <translation>无法校准预测器：%1</translation>
    </message>
    <message>
        <source>%1: predicted %2, measured %3 nats/token (× %4)</source>
        <translation>%1：预测 %2，实测 %3 nats/词元（× %4）</translation>
    </message>
    <message numerus="yes">
        <source>Fitted to %n measured compression(s) of this session (spread × %1):</source>
        <translation>
            <numerusform>根据本会话中 %n 个已测量的压缩结果拟合（离散度 × %1）：</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Predicted damage × %1 from %n measured compression(s); the budget is re-solved.</source>
        <translation>
            <numerusform>预测损伤 × %1（来自 %n 个已测量的压缩结果）；已重新求解预算。</numerusform>
        </translation>
    </message>
    <message>
        <source>&amp;Sessions…</source>
        <translation>会话(&amp;S)…</translation>
    </message>
    <message>
        <source>The sessions of this database: reopen, rename, delete, compare, export, import</source>
        <translation>此数据库中的会话：重新打开、重命名、删除、比较、导出、导入</translation>
    </message>
    <message>
        <source>&amp;Undo</source>
        <translation>撤销(&amp;U)</translation>
    </message>
    <message>
        <source>&amp;Redo</source>
        <translation>重做(&amp;R)</translation>
    </message>
    <message>
        <source>Saved &amp;Allocations…</source>
        <translation>已保存的分配(&amp;A)…</translation>
    </message>
    <message>
        <source>The allocations saved in this session, side by side: load one into the Budget tab, compress it, export its recipe or llama-quantize arguments</source>
        <translation>并排列出本会话中保存的分配：可将其中一个载入“预算”标签页、进行压缩、导出其配方或 llama-quantize 参数</translation>
    </message>
    <message>
        <source>Model file missing</source>
        <translation>模型文件缺失</translation>
    </message>
    <message>
        <source>The session&apos;s model %1 is not there (a session from another machine, or a moved file). Locate the same file? Precis checks that its SHA-256 matches.</source>
        <translation>会话的模型 %1 不存在（该会话来自另一台机器，或文件已被移动）。要找到同一个文件吗？Precis 会检查其 SHA-256 是否一致。</translation>
    </message>
    <message>
        <source>Locate %1</source>
        <translation>查找 %1</translation>
    </message>
    <message>
        <source>The allocation &apos;%1&apos; is no longer in the session.</source>
        <translation>分配“%1”已不在会话中。</translation>
    </message>
</context>
<context>
    <name>precis::app::SessionCompareDialog</name>
    <message>
        <source>Compare Sessions</source>
        <translation>比较会话</translation>
    </message>
    <message>
        <source>Comparing sessions…</source>
        <translation>正在比较会话…</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>size in MB</source>
        <translation>大小（MB）</translation>
    </message>
    <message>
        <source>bits per weight</source>
        <translation>每权重位数</translation>
    </message>
    <message>
        <source>The plot&apos;s size axis: bits per weight compares models of different sizes</source>
        <translation>图表的大小轴：按每权重位数可比较不同规模的模型</translation>
    </message>
    <message>
        <source>Size axis:</source>
        <translation>大小轴：</translation>
    </message>
    <message>
        <source>Field</source>
        <translation>字段</translation>
    </message>
    <message>
        <source>A</source>
        <translation>A</translation>
    </message>
    <message>
        <source>B</source>
        <translation>B</translation>
    </message>
    <message>
        <source>Cancelling…</source>
        <translation>正在取消…</translation>
    </message>
    <message>
        <source>Waiting for the job to start…</source>
        <translation>正在等待任务开始…</translation>
    </message>
    <message>
        <source>Comparing sessions</source>
        <translation>比较会话</translation>
    </message>
    <message>
        <source>Comparison cancelled.</source>
        <translation>比较已取消。</translation>
    </message>
    <message>
        <source>No comparison</source>
        <translation>无比较结果</translation>
    </message>
    <message>
        <source>Session</source>
        <translation>会话</translation>
    </message>
    <message>
        <source>Model file</source>
        <translation>模型文件</translation>
    </message>
    <message>
        <source>Model SHA-256</source>
        <translation>模型 SHA-256</translation>
    </message>
    <message>
        <source>Architecture</source>
        <translation>架构</translation>
    </message>
    <message>
        <source>Parameters</source>
        <translation>参数量</translation>
    </message>
    <message>
        <source>Model file size</source>
        <translation>模型文件大小</translation>
    </message>
    <message>
        <source>Model file on this machine</source>
        <translation>本机上的模型文件</translation>
    </message>
    <message>
        <source>Calibration runs</source>
        <translation>校准运行</translation>
    </message>
    <message>
        <source>Calibration text</source>
        <translation>校准文本</translation>
    </message>
    <message>
        <source>Sequences × tokens</source>
        <translation>序列数 × 词元数</translation>
    </message>
    <message>
        <source>Seed</source>
        <translation>随机种子</translation>
    </message>
    <message>
        <source>Options</source>
        <translation>选项</translation>
    </message>
    <message>
        <source>Probe options</source>
        <translation>测量选项</translation>
    </message>
    <message>
        <source>Measured per unit</source>
        <translation>逐单元测量</translation>
    </message>
    <message>
        <source>Head ablation</source>
        <translation>注意力头消融</translation>
    </message>
    <message>
        <source>Calibration tokens</source>
        <translation>校准词元数</translation>
    </message>
    <message>
        <source>Baseline loss (nats/token)</source>
        <translation>基线损失（nats/词元）</translation>
    </message>
    <message>
        <source>Budget state</source>
        <translation>预算状态</translation>
    </message>
    <message>
        <source>Budget kind</source>
        <translation>预算类型</translation>
    </message>
    <message>
        <source>Budget value</source>
        <translation>预算值</translation>
    </message>
    <message>
        <source>Granularity</source>
        <translation>粒度</translation>
    </message>
    <message>
        <source>Damage metric</source>
        <translation>损伤指标</translation>
    </message>
    <message>
        <source>Option set</source>
        <translation>选项集</translation>
    </message>
    <message>
        <source>Pinned units</source>
        <translation>已固定单元</translation>
    </message>
    <message>
        <source>Damage scale</source>
        <translation>损伤系数</translation>
    </message>
    <message>
        <source>Saved allocations</source>
        <translation>已保存的分配</translation>
    </message>
    <message>
        <source>Compressions</source>
        <translation>压缩结果</translation>
    </message>
    <message>
        <source>Benchmarks</source>
        <translation>基准测试</translation>
    </message>
    <message>
        <source>Predicted frontier</source>
        <translation>预测前沿</translation>
    </message>
    <message>
        <source>Lowest measured Δppl</source>
        <translation>最低实测 Δppl</translation>
    </message>
    <message>
        <source>Decode tok/s of the original (latest benchmark)</source>
        <translation>原始模型的解码速度 tok/s（最近一次基准测试）</translation>
    </message>
    <message>
        <source>Best measured Δppl at ≤ %1</source>
        <translation>≤ %1 时的最佳实测 Δppl</translation>
    </message>
    <message>
        <source>A: &apos;%1&apos;   B: &apos;%2&apos;</source>
        <translation>A：“%1”   B：“%2”</translation>
    </message>
    <message numerus="yes">
        <source>%n field(s) differ.</source>
        <translation>
            <numerusform>%n 个字段不同。</numerusform>
        </translation>
    </message>
    <message>
        <source>A: %1</source>
        <translation>A：%1</translation>
    </message>
    <message>
        <source>B: %1</source>
        <translation>B：%1</translation>
    </message>
    <message>
        <source>Of the latest finished calibration run</source>
        <translation>取自最近一次完成的校准运行</translation>
    </message>
</context>
<context>
    <name>precis::app::SessionsDialog</name>
    <message>
        <source>Sessions in %1</source>
        <translation>%1 中的会话</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>名称</translation>
    </message>
    <message>
        <source>Model</source>
        <translation>模型</translation>
    </message>
    <message>
        <source>Calibrations</source>
        <translation>校准</translation>
    </message>
    <message>
        <source>Allocations</source>
        <translation>分配</translation>
    </message>
    <message>
        <source>Compressions</source>
        <translation>压缩结果</translation>
    </message>
    <message>
        <source>Benchmarks</source>
        <translation>基准测试</translation>
    </message>
    <message>
        <source>Last used</source>
        <translation>上次使用</translation>
    </message>
    <message>
        <source>Open</source>
        <translation>打开</translation>
    </message>
    <message>
        <source>Rename…</source>
        <translation>重命名…</translation>
    </message>
    <message>
        <source>Delete…</source>
        <translation>删除…</translation>
    </message>
    <message>
        <source>Export…</source>
        <translation>导出…</translation>
    </message>
    <message>
        <source>Import…</source>
        <translation>导入…</translation>
    </message>
    <message>
        <source>Compare</source>
        <translation>比较</translation>
    </message>
    <message>
        <source>Select two sessions: their frontiers and results on one plot, and what differs</source>
        <translation>选择两个会话：在同一图表中显示它们的前沿和结果，并列出两者的差异</translation>
    </message>
    <message>
        <source>Rename Session</source>
        <translation>重命名会话</translation>
    </message>
    <message>
        <source>New name:</source>
        <translation>新名称：</translation>
    </message>
    <message>
        <source>Delete Sessions</source>
        <translation>删除会话</translation>
    </message>
    <message numerus="yes">
        <source>Delete %n session(s) with every calibration, allocation, compression and benchmark in them? Model files and exported files stay.</source>
        <translation>
            <numerusform>要删除 %n 个会话及其中的所有校准、分配、压缩结果和基准测试吗？模型文件和已导出的文件会保留。</numerusform>
        </translation>
    </message>
    <message>
        <source>Export Session</source>
        <translation>导出会话</translation>
    </message>
    <message>
        <source>Precis sessions (*.sqlite);;All files (*)</source>
        <translation>Precis 会话 (*.sqlite);;所有文件 (*)</translation>
    </message>
    <message>
        <source>Import Session</source>
        <translation>导入会话</translation>
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
    <message>
        <source>%1: the model of session &apos;%2&apos; is missing</source>
        <translation>%1：会话“%2”的模型不存在</translation>
    </message>
    <message>
        <source>%1 has changed since session &apos;%2&apos; was made (its SHA-256 differs): the stored results describe the old file.</source>
        <translation>自会话“%2”创建以来，%1 已被修改（其 SHA-256 不同）：已存储的结果描述的是旧文件。</translation>
    </message>
    <message>
        <source>Run a calibration (or File ▸ New Session) first: allocations belong to a session.</source>
        <translation>请先运行一次校准（或 文件 ▸ 新建会话）：分配从属于会话。</translation>
    </message>
    <message>
        <source>Saved allocation &apos;%1&apos; in session &apos;%2&apos;.</source>
        <translation>已将分配“%1”保存到会话“%2”。</translation>
    </message>
    <message>
        <source>Calibration needs the model&apos;s tokenizer: %1</source>
        <translation>校准需要模型的分词器：%1</translation>
    </message>
    <message>
        <source>A calibration is already running.</source>
        <translation>已有校准正在运行。</translation>
    </message>
    <message>
        <source>Calibrating</source>
        <translation>正在校准</translation>
    </message>
    <message>
        <source>Calibration cancelled.</source>
        <translation>校准已取消。</translation>
    </message>
    <message>
        <source>The compression has no session to be stored in.</source>
        <translation>没有可用于存储此次压缩的会话。</translation>
    </message>
    <message numerus="yes">
        <source>%n record(s) of this session cannot be read and are not shown: %1</source>
        <translation>
            <numerusform>本会话中有 %n 条记录无法读取，未予显示：%1</numerusform>
        </translation>
    </message>
    <message>
        <source>Imported session &apos;%1&apos; from %2.</source>
        <translation>已从 %2 导入会话“%1”。</translation>
    </message>
    <message>
        <source>There is no allocation to save: calibrate and choose a budget first.</source>
        <translation>没有可保存的分配：请先校准并选择预算。</translation>
    </message>
    <message numerus="yes">
        <source>Loaded &apos;%1&apos;: the session&apos;s calibration has changed since it was saved, so %n unit(s) now get other options.</source>
        <translation>
            <numerusform>已载入“%1”：会话的校准自保存以来已发生变化，因此现在有 %n 个单元得到了不同的选项。</numerusform>
        </translation>
    </message>
    <message>
        <source>Loaded allocation &apos;%1&apos; into the Budget tab.</source>
        <translation>已将分配“%1”载入“预算”标签页。</translation>
    </message>
</context>
<context>
    <name>precis::app::TrainDialog</name>
    <message>
        <source>%1 h %2 min</source>
        <translation>%1 小时 %2 分钟</translation>
    </message>
    <message>
        <source>%1 min %2 s</source>
        <translation>%1 分 %2 秒</translation>
    </message>
    <message>
        <source>%1 s</source>
        <translation>%1 秒</translation>
    </message>
    <message>
        <source>Train Micro Model</source>
        <translation>训练微型模型</translation>
    </message>
    <message>
        <source>Choose a text file and press Start.</source>
        <translation>请选择一个文本文件并点击“开始”。</translation>
    </message>
    <message>
        <source>Start</source>
        <translation>开始</translation>
    </message>
    <message>
        <source>Train a new model with these settings</source>
        <translation>使用这些设置训练新模型</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>Stop after the current step and keep a loadable checkpoint</source>
        <translation>在当前步骤完成后停止，并保留可加载的检查点</translation>
    </message>
    <message>
        <source>Hide this window; a running training goes on (see the status bar)</source>
        <translation>隐藏此窗口；正在进行的训练会继续（见状态栏）</translation>
    </message>
    <message>
        <source>Data</source>
        <translation>数据</translation>
    </message>
    <message>
        <source>UTF-8 text file to train on</source>
        <translation>用于训练的 UTF-8 文本文件</translation>
    </message>
    <message>
        <source>Browse…</source>
        <translation>浏览…</translation>
    </message>
    <message>
        <source>Receives model.gguf, a Hugging Face folder and the trainer state; created if missing</source>
        <translation>存放 model.gguf、Hugging Face 文件夹和训练器状态；不存在时会自动创建</translation>
    </message>
    <message>
        <source>Corpus:</source>
        <translation>语料：</translation>
    </message>
    <message>
        <source>Output folder:</source>
        <translation>输出文件夹：</translation>
    </message>
    <message>
        <source>Model</source>
        <translation>模型</translation>
    </message>
    <message>
        <source>Llama (RMSNorm, RoPE, SwiGLU)</source>
        <translation>Llama（RMSNorm、RoPE、SwiGLU）</translation>
    </message>
    <message>
        <source>GPT-2 (LayerNorm, learned positions, GELU)</source>
        <translation>GPT-2（LayerNorm、可学习位置编码、GELU）</translation>
    </message>
    <message>
        <source>Tiny (2 layers × 64, ≈0.15 M params)</source>
        <translation>极小（2 层 × 64，约 15 万参数）</translation>
    </message>
    <message>
        <source>Small (4 layers × 128, ≈0.9 M params)</source>
        <translation>小（4 层 × 128，约 90 万参数）</translation>
    </message>
    <message>
        <source>Sample-size (4 layers × 256, ≈3.3 M params)</source>
        <translation>示例模型规模（4 层 × 256，约 330 万参数）</translation>
    </message>
    <message>
        <source>Custom</source>
        <translation>自定义</translation>
    </message>
    <message>
        <source>Transformer blocks</source>
        <translation>Transformer 块数</translation>
    </message>
    <message>
        <source>Embedding width</source>
        <translation>嵌入维度</translation>
    </message>
    <message>
        <source>Attention heads; they must divide the embedding width</source>
        <translation>注意力头数；必须能整除嵌入维度</translation>
    </message>
    <message>
        <source>Key/value heads (grouped-query attention, Llama only); they must divide the heads</source>
        <translation>键/值注意力头数（分组查询注意力，仅限 Llama）；必须能整除注意力头数</translation>
    </message>
    <message>
        <source>= heads</source>
        <translation>= 注意力头数</translation>
    </message>
    <message>
        <source>Feed-forward width; auto: 3 × embedding (Llama), 4 × (GPT-2)</source>
        <translation>前馈层宽度；自动：3 × 嵌入维度（Llama），4 ×（GPT-2）</translation>
    </message>
    <message>
        <source>Context length = training window in tokens</source>
        <translation>上下文长度 = 训练窗口的词元数</translation>
    </message>
    <message>
        <source>Characters</source>
        <translation>字符</translation>
    </message>
    <message>
        <source>BPE</source>
        <translation>BPE</translation>
    </message>
    <message>
        <source>Vocabulary learnt from the corpus: one token per character, or byte-pair merges</source>
        <translation>从语料中学习的词表：每个字符一个词元，或字节对合并</translation>
    </message>
    <message>
        <source>BPE vocabulary size, including the 259 special and byte tokens</source>
        <translation>BPE 词表大小，包括 259 个特殊词元和字节词元</translation>
    </message>
    <message>
        <source>Architecture:</source>
        <translation>架构：</translation>
    </message>
    <message>
        <source>Size:</source>
        <translation>规模：</translation>
    </message>
    <message>
        <source>Layers:</source>
        <translation>层数：</translation>
    </message>
    <message>
        <source>Embedding:</source>
        <translation>嵌入维度：</translation>
    </message>
    <message>
        <source>Heads:</source>
        <translation>注意力头数：</translation>
    </message>
    <message>
        <source>KV heads:</source>
        <translation>KV 头数：</translation>
    </message>
    <message>
        <source>FFN width:</source>
        <translation>FFN 宽度：</translation>
    </message>
    <message>
        <source>Context:</source>
        <translation>上下文：</translation>
    </message>
    <message>
        <source>Tokenizer:</source>
        <translation>分词器：</translation>
    </message>
    <message>
        <source>Vocabulary:</source>
        <translation>词表：</translation>
    </message>
    <message>
        <source>Training</source>
        <translation>训练</translation>
    </message>
    <message>
        <source>Optimizer steps</source>
        <translation>优化器步数</translation>
    </message>
    <message>
        <source>Windows per step; tokens per step = batch × context</source>
        <translation>每步的窗口数；每步词元数 = 批大小 × 上下文长度</translation>
    </message>
    <message>
        <source>Peak learning rate (AdamW, warm-up then cosine decay to a tenth of it)</source>
        <translation>峰值学习率（AdamW，先预热，再余弦衰减至其十分之一）</translation>
    </message>
    <message>
        <source>Seed of the initialisation and the batches</source>
        <translation>初始化和批次的随机种子</translation>
    </message>
    <message>
        <source>Validate on the held-out last tenth of the text every N steps</source>
        <translation>每 N 步在预留的最后十分之一文本上进行验证</translation>
    </message>
    <message>
        <source>only at the end</source>
        <translation>仅在结束时</translation>
    </message>
    <message>
        <source>Steps:</source>
        <translation>步数：</translation>
    </message>
    <message>
        <source>Batch:</source>
        <translation>批大小：</translation>
    </message>
    <message>
        <source>Learning rate:</source>
        <translation>学习率：</translation>
    </message>
    <message>
        <source>Seed:</source>
        <translation>随机种子：</translation>
    </message>
    <message>
        <source>Validate every:</source>
        <translation>验证间隔：</translation>
    </message>
    <message>
        <source>Training Text</source>
        <translation>训练文本</translation>
    </message>
    <message>
        <source>Text files (*.txt *.md);;All files (*)</source>
        <translation>文本文件 (*.txt *.md);;所有文件 (*)</translation>
    </message>
    <message>
        <source>Output Folder</source>
        <translation>输出文件夹</translation>
    </message>
    <message>
        <source>not found</source>
        <translation>未找到</translation>
    </message>
    <message>
        <source>%1 (%2 bytes)</source>
        <translation>%1（%2 字节）</translation>
    </message>
    <message>
        <source>auto (4×)</source>
        <translation>自动（4×）</translation>
    </message>
    <message>
        <source>auto (3×)</source>
        <translation>自动（3×）</translation>
    </message>
    <message>
        <source>%1 parameters (vocabulary of at most %2 tokens)</source>
        <translation>%1 个参数（词表最多 %2 个词元）</translation>
    </message>
    <message>
        <source>%1 parameters (vocabulary %2: %3 special and byte tokens + %4 characters)</source>
        <translation>%1 个参数（词表 %2：%3 个特殊词元和字节词元 + %4 个字符）</translation>
    </message>
    <message>
        <source>%1 parameters + %2 per distinct character of the corpus</source>
        <translation>%1 个参数 + 语料中每个不同字符 %2 个</translation>
    </message>
    <message>
        <source>%1 already holds a trained model. Replace it with the new one?</source>
        <translation>%1 中已有一个训练好的模型。要用新模型替换它吗？</translation>
    </message>
    <message>
        <source>Preparing: reading the text, building the tokenizer, writing the first checkpoint…</source>
        <translation>正在准备：读取文本、构建分词器、写入第一个检查点…</translation>
    </message>
    <message>
        <source>Training: step %1 of %2, loss %3</source>
        <translation>训练中：第 %1 / %2 步，损失 %3</translation>
    </message>
    <message>
        <source>Training micro model</source>
        <translation>正在训练微型模型</translation>
    </message>
    <message>
        <source>Stopping after this step and writing a checkpoint…</source>
        <translation>将在此步骤后停止并写入检查点…</translation>
    </message>
    <message>
        <source>Step %1 of %2 · final evaluation and checkpoint…</source>
        <translation>第 %1 / %2 步 · 最终评估并写入检查点…</translation>
    </message>
    <message>
        <source>Step %1 of %2 · loss %3 · %4 tok/s · ETA %5</source>
        <translation>第 %1 / %2 步 · 损失 %3 · %4 词元/秒 · 预计剩余 %5</translation>
    </message>
    <message>
        <source>Training stopped with an error.</source>
        <translation>训练因出错而停止。</translation>
    </message>
    <message>
        <source>Cancelled at step %1 of %2; the checkpoint is in %3.</source>
        <translation>已在第 %1 / %2 步取消；检查点位于 %3。</translation>
    </message>
    <message>
        <source>Cancelled before the first step.</source>
        <translation>已在第一步之前取消。</translation>
    </message>
    <message>
        <source>none (no validation split)</source>
        <translation>无（没有验证集）</translation>
    </message>
    <message>
        <source>Finished %1 steps in %2: final loss %3 training, %4 validation (nats/token).</source>
        <translation>已用 %2 完成 %1 步：最终训练损失 %3，验证损失 %4（nats/词元）。</translation>
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
    <name>precis::views::BenchmarkChart</name>
    <message>
        <source>Median of the repetitions; whiskers: fastest and slowest. Dashed over a decode bar: its ceiling, memory bandwidth ÷ bytes read per token.</source>
        <translation>重复测量的中位数；须线：最快与最慢。解码柱上的虚线：其上限，即内存带宽 ÷ 每个词元读取的字节数。</translation>
    </message>
    <message>
        <source>Prefill (tok/s)</source>
        <translation>预填充（词元/秒）</translation>
    </message>
    <message>
        <source>Decode (tok/s), - - ceiling</source>
        <translation>解码（词元/秒），- - 上限</translation>
    </message>
    <message>
        <source>Peak memory (MiB)</source>
        <translation>峰值内存（MiB）</translation>
    </message>
    <message>
        <source>File size (MiB)</source>
        <translation>文件大小（MiB）</translation>
    </message>
</context>
<context>
    <name>precis::views::BenchmarkView</name>
    <message>
        <source>not saved</source>
        <translation>未保存</translation>
    </message>
    <message>
        <source>Where the models run: this CPU, or a CUDA GPU when Precis was built with CUDA.</source>
        <translation>模型运行的位置：本机 CPU，或在 Precis 以 CUDA 构建时使用 CUDA GPU。</translation>
    </message>
    <message>
        <source>CPU threads for the runs (the memory bandwidth is measured with the same threads).</source>
        <translation>运行使用的 CPU 线程数（内存带宽以相同线程数测量）。</translation>
    </message>
    <message>
        <source>F32</source>
        <translation>F32</translation>
    </message>
    <message>
        <source>F16</source>
        <translation>F16</translation>
    </message>
    <message>
        <source>Element type of the key/value cache.</source>
        <translation>键/值缓存的元素类型。</translation>
    </message>
    <message>
        <source>Prompt length of the prefill (time to first token).</source>
        <translation>预填充的提示长度（首个词元时间）。</translation>
    </message>
    <message>
        <source>Tokens generated one by one after the prompt (decode speed).</source>
        <translation>提示之后逐个生成的词元（解码速度）。</translation>
    </message>
    <message>
        <source>Timed repetitions after one warm-up; figures are median [min–max].</source>
        <translation>一次预热后的计时重复次数；数值为中位数 [最小–最大]。</translation>
    </message>
    <message>
        <source>Threads</source>
        <translation>线程</translation>
    </message>
    <message>
        <source>KV</source>
        <translation>KV</translation>
    </message>
    <message>
        <source>Prompt</source>
        <translation>提示</translation>
    </message>
    <message>
        <source>Generate</source>
        <translation>生成</translation>
    </message>
    <message>
        <source>Repetitions</source>
        <translation>重复次数</translation>
    </message>
    <message>
        <source>Device</source>
        <translation>设备</translation>
    </message>
    <message>
        <source>Tokens</source>
        <translation>词元</translation>
    </message>
    <message>
        <source>Checked models are benchmarked one after the other with the same settings.</source>
        <translation>勾选的模型将以相同设置依次测试。</translation>
    </message>
    <message>
        <source>Add GGUF File…</source>
        <translation>添加 GGUF 文件…</translation>
    </message>
    <message>
        <source>Run Benchmark</source>
        <translation>运行基准测试</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>Models</source>
        <translation>模型</translation>
    </message>
    <message>
        <source>When</source>
        <translation>时间</translation>
    </message>
    <message>
        <source>Model</source>
        <translation>模型</translation>
    </message>
    <message>
        <source>Prompt / gen</source>
        <translation>提示 / 生成</translation>
    </message>
    <message>
        <source>Prefill tok/s</source>
        <translation>预填充 词元/秒</translation>
    </message>
    <message>
        <source>TTFT ms</source>
        <translation>首词元 ms</translation>
    </message>
    <message>
        <source>Decode tok/s</source>
        <translation>解码 词元/秒</translation>
    </message>
    <message>
        <source>Of ceiling</source>
        <translation>占上限</translation>
    </message>
    <message>
        <source>Peak memory</source>
        <translation>峰值内存</translation>
    </message>
    <message>
        <source>File</source>
        <translation>文件</translation>
    </message>
    <message>
        <source>Every benchmark of the session, newest first. Select rows to chart them.</source>
        <translation>本会话的所有基准测试，最新在前。选择行以在图表中显示。</translation>
    </message>
    <message numerus="yes">
        <source>CPU (%n logical cores)</source>
        <translation>
            <numerusform>CPU（%n 个逻辑核心）</numerusform>
        </translation>
    </message>
    <message>
        <source>CUDA %1: %2</source>
        <translation>CUDA %1：%2</translation>
    </message>
    <message>
        <source>No GPU: %1</source>
        <translation>无 GPU：%1</translation>
    </message>
    <message>
        <source>Ceiling %1 tok/s = %2 GB/s ÷ %3 MB read per token</source>
        <translation>上限 %1 词元/秒 = %2 GB/s ÷ 每词元读取 %3 MB</translation>
    </message>
</context>
<context>
    <name>precis::views::BudgetUnitModel</name>
    <message>
        <source>%1 M</source>
        <translation>%1 百万</translation>
    </message>
    <message>
        <source>%1 G</source>
        <translation>%1 十亿</translation>
    </message>
    <message>
        <source>%1 · %2 · Δloss %3</source>
        <translation>%1 · %2 · Δloss %3</translation>
    </message>
    <message>
        <source>%1 weights</source>
        <translation>%1 个权重</translation>
    </message>
    <message>
        <source>Pinned to %1 by you; uncheck “pinned” or use Unpin to free it</source>
        <translation>已由您固定为 %1；取消勾选“已固定”或使用“取消固定”即可释放</translation>
    </message>
    <message>
        <source>Chosen by the solver; pick another option to pin the unit</source>
        <translation>由求解器选择；选择其他选项即可固定该单元</translation>
    </message>
    <message>
        <source>%1 bytes</source>
        <translation>%1 字节</translation>
    </message>
    <message>
        <source>predicted Δloss %1 nats/token</source>
        <translation>预测 Δloss %1 nats/词元</translation>
    </message>
    <message>
        <source>Pinned units keep their option whatever the budget</source>
        <translation>已固定的单元无论预算如何都保留其选项</translation>
    </message>
    <message>
        <source>unit</source>
        <translation>单元</translation>
    </message>
    <message>
        <source>layer</source>
        <translation>层</translation>
    </message>
    <message>
        <source>kind</source>
        <translation>类型</translation>
    </message>
    <message>
        <source>weights</source>
        <translation>权重</translation>
    </message>
    <message>
        <source>option</source>
        <translation>选项</translation>
    </message>
    <message>
        <source>bytes</source>
        <translation>字节</translation>
    </message>
    <message>
        <source>Δloss</source>
        <translation>Δloss</translation>
    </message>
    <message>
        <source>pinned</source>
        <translation>已固定</translation>
    </message>
    <message>
        <source>Predicted damage of the chosen option (Δloss, nats/token)</source>
        <translation>所选选项的预测损害（Δloss，nats/词元）</translation>
    </message>
    <message>
        <source>%1 (Precis)</source>
        <translation>%1（Precis）</translation>
    </message>
</context>
<context>
    <name>precis::views::BudgetView</name>
    <message>
        <source>max Δppl %</source>
        <translation>最大 Δppl %</translation>
    </message>
    <message>
        <source>size MB</source>
        <translation>大小 MB</translation>
    </message>
    <message>
        <source>bits/weight</source>
        <translation>位/权重</translation>
    </message>
    <message>
        <source>Budget as the largest predicted perplexity increase, or as a target size</source>
        <translation>预算可以是预测困惑度的最大增幅，也可以是目标大小</translation>
    </message>
    <message>
        <source>Drag, or use the arrow and Page keys: the allocation is re-solved on every step</source>
        <translation>拖动，或使用方向键和翻页键：每一步都会重新求解分配</translation>
    </message>
    <message>
        <source>Save allocation…</source>
        <translation>保存分配…</translation>
    </message>
    <message>
        <source>Keep this allocation in the session</source>
        <translation>将此分配保存在会话中</translation>
    </message>
    <message>
        <source>Log scale</source>
        <translation>对数刻度</translation>
    </message>
    <message>
        <source>Predicted perplexity increase on a logarithmic axis (zero is drawn at the bottom)</source>
        <translation>在对数坐标轴上显示预测困惑度增幅（零值画在最底部）</translation>
    </message>
    <message>
        <source>bits per weight</source>
        <translation>每权重位数</translation>
    </message>
    <message>
        <source>size</source>
        <translation>大小</translation>
    </message>
    <message>
        <source>Height of a layer&apos;s bar: its bits per weight, or its size</source>
        <translation>每层柱条的高度：每权重位数或大小</translation>
    </message>
    <message>
        <source>Undo</source>
        <translation>撤销</translation>
    </message>
    <message>
        <source>Redo</source>
        <translation>重做</translation>
    </message>
    <message>
        <source>Unpin</source>
        <translation>取消固定</translation>
    </message>
    <message>
        <source>Let the solver choose the selected units&apos; options again</source>
        <translation>让求解器重新为所选单元选择选项</translation>
    </message>
    <message>
        <source>Unpin all</source>
        <translation>全部取消固定</translation>
    </message>
    <message>
        <source>Budget:</source>
        <translation>预算：</translation>
    </message>
    <message>
        <source>Pareto frontier</source>
        <translation>帕累托前沿</translation>
    </message>
    <message>
        <source>Per layer</source>
        <translation>按层</translation>
    </message>
    <message>
        <source>Units (pick an option to pin it)</source>
        <translation>单元（选择一个选项即可将其固定）</translation>
    </message>
    <message>
        <source>No allocation yet: run Analyze ▸ Calibrate to get the sensitivity of every tensor, then set an accuracy budget here.</source>
        <translation>尚无分配：请运行 分析 ▸ 校准 以获得每个张量的敏感度，然后在此设置精度预算。</translation>
    </message>
    <message>
        <source>Largest predicted perplexity increase; damage budget ln(1 + p/100) nats/token</source>
        <translation>预测困惑度的最大增幅；损害预算 ln(1 + p/100) nats/词元</translation>
    </message>
    <message>
        <source>Largest size (MB = 10⁶ bytes, norms and biases included)</source>
        <translation>最大大小（MB = 10⁶ 字节，包括归一化层和偏置）</translation>
    </message>
    <message>
        <source> bits/weight</source>
        <translation> 位/权重</translation>
    </message>
    <message>
        <source>Largest average bits per weight over all weights (norms and biases included)</source>
        <translation>所有权重的最大平均每权重位数（包括归一化层和偏置）</translation>
    </message>
    <message>
        <source>Below what any allocation reaches: showing the nearest one. %1</source>
        <translation>低于任何分配所能达到的值：显示最接近的分配。%1</translation>
    </message>
    <message>
        <source> · %1× smaller than the file</source>
        <translation> · 压缩至原文件的 1/%1</translation>
    </message>
    <message>
        <source>Re-solving with the new pins…</source>
        <translation>正在按新的固定设置重新求解…</translation>
    </message>
    <message>
        <source>ppl +%1 %</source>
        <translation>困惑度 +%1%</translation>
    </message>
    <message>
        <source>%1 MB</source>
        <translation>%1 MB</translation>
    </message>
    <message>
        <source>%1 bits/weight</source>
        <translation>%1 位/权重</translation>
    </message>
    <message>
        <source>Save allocation</source>
        <translation>保存分配</translation>
    </message>
    <message>
        <source>Name of the allocation in this session:</source>
        <translation>此分配在本会话中的名称：</translation>
    </message>
    <message>
        <source>Calibrate to Measurements</source>
        <translation>按测量校准</translation>
    </message>
    <message>
        <source>Rescale every predicted damage by measured ÷ predicted of the session&apos;s measured compressions (Compress tab), then re-solve this budget</source>
        <translation>按本会话已测量压缩结果（压缩页）的 实测 ÷ 预测 缩放每个预测损伤，然后重新求解此预算</translation>
    </message>
    <message>
        <source>Reset</source>
        <translation>重置</translation>
    </message>
    <message>
        <source>Back to the uncalibrated predictor (factor 1)</source>
        <translation>恢复未校准的预测器（系数 1）</translation>
    </message>
    <message>
        <source>Predictor: uncalibrated</source>
        <translation>预测器：未校准</translation>
    </message>
    <message>
        <source>Predictor × %1</source>
        <translation>预测器 × %1</translation>
    </message>
    <message>
        <source>per tensor</source>
        <translation>按张量</translation>
    </message>
    <message>
        <source>per head</source>
        <translation>按注意力头</translation>
    </message>
    <message>
        <source>per layer</source>
        <translation>按层</translation>
    </message>
    <message>
        <source>What gets one choice: a tensor, an attention head&apos;s slices of q/k/v/o, or a whole layer</source>
        <translation>每个选择所针对的对象：一个张量、一个注意力头在 q/k/v/o 中的切片，或一整层</translation>
    </message>
    <message>
        <source>output-weighted error</source>
        <translation>输出加权误差</translation>
    </message>
    <message>
        <source>Fisher</source>
        <translation>Fisher</translation>
    </message>
    <message>
        <source>How each option&apos;s damage is predicted from the calibration run</source>
        <translation>如何根据校准运行预测每个选项的损伤</translation>
    </message>
    <message>
        <source>Precis RTN types</source>
        <translation>Precis RTN 类型</translation>
    </message>
    <message>
        <source>Also offer Precis&apos; own RTN format (2–8 bits, groups of 32–128). No GGUF type holds it: a GGUF export re-encodes those tensors to GGUF types.</source>
        <translation>同时提供 Precis 自有的 RTN 格式（2–8 位，分组大小 32–128）。没有 GGUF 类型能容纳它：GGUF 导出时会将这些张量重新编码为 GGUF 类型。</translation>
    </message>
    <message>
        <source>Units:</source>
        <translation>单元：</translation>
    </message>
    <message>
        <source>Damage:</source>
        <translation>损伤：</translation>
    </message>
    <message>
        <source>&lt;b&gt;%1&lt;/b&gt; · &lt;b&gt;%2&lt;/b&gt; bits/weight · predicted Δppl &lt;b&gt;+%3 %&lt;/b&gt;</source>
        <translation>&lt;b&gt;%1&lt;/b&gt; · &lt;b&gt;%2&lt;/b&gt; 位/权重 · 预测 Δppl &lt;b&gt;+%3%&lt;/b&gt;</translation>
    </message>
    <message>
        <source> · predicted KL %1 nats/token</source>
        <translation> · 预测 KL %1 nats/词元</translation>
    </message>
    <message numerus="yes">
        <source>%n unit(s) use Precis&apos; RTN format: kept as such in memory; a GGUF export re-encodes them to GGUF types.</source>
        <translation>
            <numerusform>%n 个单元使用 Precis 的 RTN 格式：在内存中按原样保留；GGUF 导出时会将其重新编码为 GGUF 类型。</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>precis::views::CompressResultPlot</name>
    <message>
        <source>predicted frontier (Budget tab)</source>
        <translation>预测前沿（“预算”标签页）</translation>
    </message>
    <message>
        <source>predicted</source>
        <translation>预测</translation>
    </message>
    <message>
        <source>perplexity increase (%)</source>
        <translation>困惑度增幅（%）</translation>
    </message>
    <message>
        <source>size (MB)</source>
        <translation>大小（MB）</translation>
    </message>
    <message>
        <source>bits per weight</source>
        <translation>每权重位数</translation>
    </message>
    <message>
        <source>measured, %1</source>
        <translation>实测，%1</translation>
    </message>
</context>
<context>
    <name>precis::views::CompressView</name>
    <message>
        <source>No allocation yet: calibrate, then choose a budget in the Budget tab.</source>
        <translation>尚无分配：请先校准，然后在“预算”标签页中选择预算。</translation>
    </message>
    <message>
        <source>Plan</source>
        <translation>计划</translation>
    </message>
    <message>
        <source>Current budget allocation</source>
        <translation>当前预算分配</translation>
    </message>
    <message>
        <source>One scheme everywhere:</source>
        <translation>全部使用同一方案：</translation>
    </message>
    <message>
        <source>A GGUF block format, F16/BF16, or RTN&lt;bits&gt;g&lt;group&gt; (e.g. RTN4g128); rows a format cannot store fall back as llama.cpp does</source>
        <translation>一种 GGUF 块格式、F16/BF16，或 RTN&lt;bits&gt;g&lt;group&gt;（例如 RTN4g128）；某格式无法存储的行会像 llama.cpp 那样回退到替代格式</translation>
    </message>
    <message>
        <source>Method</source>
        <translation>方法</translation>
    </message>
    <message>
        <source>RTN (round to nearest)</source>
        <translation>RTN（就近舍入）</translation>
    </message>
    <message>
        <source>GPTQ (error compensation)</source>
        <translation>GPTQ（误差补偿）</translation>
    </message>
    <message>
        <source>AWQ (activation-aware scaling)</source>
        <translation>AWQ（激活感知缩放）</translation>
    </message>
    <message>
        <source>Each scheme&apos;s own encoder; in a session, weighted by its latest calibration&apos;s column importance (no text needed).</source>
        <translation>使用各方案自身的编码器；在会话中按其最近一次校准的列重要性加权（无需文本）。</translation>
    </message>
    <message>
        <source>λ = damping × mean diagonal of XᵀX, added to the diagonal</source>
        <translation>λ = 阻尼 × XᵀX 对角线元素的均值，加到对角线上</translation>
    </message>
    <message>
        <source>Act order</source>
        <translation>按激活排序</translation>
    </message>
    <message>
        <source>Quantize the blocks of columns with the largest input energy first</source>
        <translation>优先量化输入能量最大的列块</translation>
    </message>
    <message>
        <source>Damping:</source>
        <translation>阻尼：</translation>
    </message>
    <message>
        <source>Scale exponents α searched: 0, 1/grid, …, 1</source>
        <translation>搜索的缩放指数 α：0, 1/网格, …, 1</translation>
    </message>
    <message>
        <source>α grid:</source>
        <translation>α 网格：</translation>
    </message>
    <message>
        <source>Calibration text</source>
        <translation>校准文本</translation>
    </message>
    <message>
        <source>UTF-8 text file</source>
        <translation>UTF-8 文本文件</translation>
    </message>
    <message>
        <source>Calibration Text</source>
        <translation>校准文本</translation>
    </message>
    <message>
        <source>N: windows cut from the text at seeded offsets</source>
        <translation>N：按固定随机种子确定偏移、从文本中截取的窗口数</translation>
    </message>
    <message>
        <source>T: tokens per window (below the model&apos;s context)</source>
        <translation>T：每个窗口的词元数（小于模型的上下文长度）</translation>
    </message>
    <message>
        <source>File:</source>
        <translation>文件：</translation>
    </message>
    <message>
        <source>Sequences:</source>
        <translation>序列数：</translation>
    </message>
    <message>
        <source>Tokens each:</source>
        <translation>每序列词元数：</translation>
    </message>
    <message>
        <source>Seed:</source>
        <translation>随机种子：</translation>
    </message>
    <message>
        <source>Evaluation</source>
        <translation>评估</translation>
    </message>
    <message>
        <source>Evaluation Text</source>
        <translation>评估文本</translation>
    </message>
    <message>
        <source>Tokens per chunk; the second half of each chunk is scored (as llama.cpp&apos;s perplexity)</source>
        <translation>每个文本块的词元数；对每块的后半部分计分（与 llama.cpp 的困惑度计算相同）</translation>
    </message>
    <message>
        <source>all</source>
        <translation>全部</translation>
    </message>
    <message>
        <source>Score at most this many chunks of the text</source>
        <translation>最多对文本的这么多个文本块计分</translation>
    </message>
    <message>
        <source>Context:</source>
        <translation>上下文：</translation>
    </message>
    <message>
        <source>Chunks:</source>
        <translation>文本块数：</translation>
    </message>
    <message>
        <source>Compress &amp;&amp; Measure</source>
        <translation>压缩并测量</translation>
    </message>
    <message>
        <source>Compress the model by the plan, then measure it against the original on the evaluation text</source>
        <translation>按计划压缩模型，然后在评估文本上与原始模型对比测量</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>名称</translation>
    </message>
    <message>
        <source>Size
(MiB)</source>
        <translation>大小
（MiB）</translation>
    </message>
    <message>
        <source>Bits/
weight</source>
        <translation>位/
权重</translation>
    </message>
    <message>
        <source>PPL
original</source>
        <translation>PPL
原始</translation>
    </message>
    <message>
        <source>PPL
compressed</source>
        <translation>PPL
压缩后</translation>
    </message>
    <message>
        <source>PPL
ratio</source>
        <translation>PPL
比值</translation>
    </message>
    <message>
        <source>Measured
Δppl %</source>
        <translation>实测
Δppl %</translation>
    </message>
    <message>
        <source>Predicted
Δppl %</source>
        <translation>预测
Δppl %</translation>
    </message>
    <message>
        <source>KL
mean</source>
        <translation>KL
均值</translation>
    </message>
    <message>
        <source>KL
p99</source>
        <translation>KL
p99</translation>
    </message>
    <message>
        <source>Top-1
%</source>
        <translation>Top-1
%</translation>
    </message>
    <message>
        <source>KL(original ‖ compressed) of the next-token distributions, nats</source>
        <translation>下一词元分布的 KL(原始 ‖ 压缩后)，单位 nats</translation>
    </message>
    <message>
        <source>Positions where both models rank the same token first</source>
        <translation>两个模型把同一词元排在第一位的位置</translation>
    </message>
    <message>
        <source>From the sensitivity report: the allocation&apos;s predicted damage, or the uniform format&apos;s point</source>
        <translation>来自敏感度报告：分配的预测损害，或统一格式对应的点</translation>
    </message>
    <message>
        <source>Export…</source>
        <translation>导出…</translation>
    </message>
    <message>
        <source>Write the selected result as GGUF, a safetensors folder or a recipe</source>
        <translation>将所选结果写为 GGUF、safetensors 文件夹或配方</translation>
    </message>
    <message>
        <source>&lt;b&gt;Results of this session&lt;/b&gt;</source>
        <translation>&lt;b&gt;本会话的结果&lt;/b&gt;</translation>
    </message>
    <message>
        <source>size (MB)</source>
        <translation>大小（MB）</translation>
    </message>
    <message>
        <source>bits per weight</source>
        <translation>每权重位数</translation>
    </message>
    <message>
        <source>Log scale</source>
        <translation>对数刻度</translation>
    </message>
    <message>
        <source>Perplexity increase on a logarithmic axis (zero and negative changes are drawn at the bottom)</source>
        <translation>在对数坐标轴上显示困惑度增幅（零和负的变化画在最底部）</translation>
    </message>
    <message>
        <source>Size axis:</source>
        <translation>大小坐标轴：</translation>
    </message>
    <message>
        <source>Size vs Δppl</source>
        <translation>大小与 Δppl</translation>
    </message>
    <message>
        <source>Predicted vs measured</source>
        <translation>预测与实测</translation>
    </message>
    <message>
        <source>Generation</source>
        <translation>生成</translation>
    </message>
    <message>
        <source>Text (*.txt);;All files (*)</source>
        <translation>文本 (*.txt);;所有文件 (*)</translation>
    </message>
    <message>
        <source>Tokens per chunk (at most the model&apos;s context, %1); the second half of each chunk is scored</source>
        <translation>每个文本块的词元数（最多为模型的上下文长度 %1）；对每块的后半部分计分</translation>
    </message>
    <message>
        <source>RTN needs no calibration</source>
        <translation>RTN 无需校准</translation>
    </message>
    <message>
        <source>Waiting for the job to start…</source>
        <translation>正在等待任务开始…</translation>
    </message>
    <message>
        <source>From the session; the compressed model is no longer in memory (its recipe can be exported; run it again to export the model or generate)</source>
        <translation>来自会话；压缩模型已不在内存中（可以导出其配方；如需导出模型或生成文本，请重新运行）</translation>
    </message>
    <message>
        <source>KL mean %1, p99 %2, max %3 nats over %4 positions</source>
        <translation>KL 均值 %1，p99 %2，最大 %3 nats（共 %4 个位置）</translation>
    </message>
    <message>
        <source>Measure each tensor</source>
        <translation>逐个测量张量</translation>
    </message>
    <message>
        <source>After the whole model, measure every compressed tensor alone: the original model with only that tensor compressed, on %1 sequences of up to %2 tokens of the evaluation text. Costs one forward pass over those %1 sequences per compressed tensor. The result is compared with the Budget tab&apos;s predicted damage per tensor.</source>
        <translation>在整个模型之后单独测量每个压缩张量：原始模型中只压缩该张量，在评估文本的 %1 个序列（每个最多 %2 个词元）上测量。每个压缩张量需要在这 %1 个序列上做一次前向计算。结果与预算页中每个张量的预测损伤进行比较。</translation>
    </message>
    <message>
        <source>Per tensor</source>
        <translation>逐张量</translation>
    </message>
    <message>
        <source>The selected result&apos;s tensors, each measured alone, against their predicted damage</source>
        <translation>所选结果的各张量（单独测量）与其预测损伤的对比</translation>
    </message>
    <message>
        <source>Saved allocation:</source>
        <translation>已保存的分配：</translation>
    </message>
    <message>
        <source>An allocation saved in this session (Budget ▸ Save allocation…), compressed exactly as it was saved</source>
        <translation>本会话中保存的分配（预算 ▸ 保存分配…），按保存时的原样压缩</translation>
    </message>
    <message>
        <source>not measured</source>
        <translation>未测量</translation>
    </message>
    <message>
        <source>Compressed without an evaluation text: measure it with precis-cli eval, or compress it again here</source>
        <translation>压缩时没有评估文本：请用 precis-cli eval 测量，或在此重新压缩</translation>
    </message>
</context>
<context>
    <name>precis::views::FrontierPlot</name>
    <message>
        <source>frontier (optimal mixes)</source>
        <translation>前沿（最优组合）</translation>
    </message>
    <message>
        <source>one format everywhere</source>
        <translation>全部使用同一格式</translation>
    </message>
    <message>
        <source>current allocation</source>
        <translation>当前分配</translation>
    </message>
    <message>
        <source>predicted perplexity increase (%)</source>
        <translation>预测困惑度增幅（%）</translation>
    </message>
    <message>
        <source>size (MB)</source>
        <translation>大小（MB）</translation>
    </message>
    <message>
        <source>bits per weight</source>
        <translation>每权重位数</translation>
    </message>
    <message>
        <source>current allocation (Precis-native types)</source>
        <translation>当前分配（Precis 原生类型）</translation>
    </message>
</context>
<context>
    <name>precis::views::GenerationCompareView</name>
    <message>
        <source>Prompt, e.g. the first words of a line</source>
        <translation>提示词，例如一行的开头几个词</translation>
    </message>
    <message>
        <source>New tokens each model writes (at most up to the model&apos;s context)</source>
        <translation>每个模型生成的新词元数（最多到模型的上下文长度）</translation>
    </message>
    <message>
        <source>greedy</source>
        <translation>贪心</translation>
    </message>
    <message>
        <source>Sampling temperature; greedy picks the most likely token</source>
        <translation>采样温度；贪心解码选择概率最高的词元</translation>
    </message>
    <message>
        <source>Both models sample with this seed, so they only part where their probabilities do</source>
        <translation>两个模型使用同一随机种子采样，因此只在概率不同之处才会产生分歧</translation>
    </message>
    <message>
        <source>Stop at end of text</source>
        <translation>在文本结束处停止</translation>
    </message>
    <message>
        <source>The compressed model to compare with (results kept in memory)</source>
        <translation>用于比较的压缩模型（保留在内存中的结果）</translation>
    </message>
    <message>
        <source>Generate</source>
        <translation>生成</translation>
    </message>
    <message>
        <source>Prompt:</source>
        <translation>提示词：</translation>
    </message>
    <message>
        <source>Compare with:</source>
        <translation>比较对象：</translation>
    </message>
    <message>
        <source>Tokens:</source>
        <translation>词元数：</translation>
    </message>
    <message>
        <source>Temperature:</source>
        <translation>温度：</translation>
    </message>
    <message>
        <source>Seed:</source>
        <translation>随机种子：</translation>
    </message>
    <message>
        <source>Original</source>
        <translation>原始模型</translation>
    </message>
    <message>
        <source>Compressed</source>
        <translation>压缩后</translation>
    </message>
    <message>
        <source>Run a compression first: its model is kept in memory for generation.</source>
        <translation>请先运行一次压缩：其模型会保留在内存中用于生成。</translation>
    </message>
    <message>
        <source>Run a compression first</source>
        <translation>请先运行一次压缩</translation>
    </message>
    <message>
        <source>Generating…</source>
        <translation>正在生成…</translation>
    </message>
</context>
<context>
    <name>precis::views::LayerBitsPlot</name>
    <message>
        <source>whole layer</source>
        <translation>整层</translation>
    </message>
    <message>
        <source>layer</source>
        <translation>层</translation>
    </message>
    <message>
        <source>GB</source>
        <translation>GB</translation>
    </message>
    <message>
        <source>MB</source>
        <translation>MB</translation>
    </message>
    <message>
        <source>kB</source>
        <translation>kB</translation>
    </message>
    <message>
        <source>size (%1)</source>
        <translation>大小（%1）</translation>
    </message>
    <message>
        <source>bits per weight</source>
        <translation>每权重位数</translation>
    </message>
    <message>
        <source>bits/weight</source>
        <translation>位/权重</translation>
    </message>
    <message>
        <source>layer %1</source>
        <translation>第 %1 层</translation>
    </message>
</context>
<context>
    <name>precis::views::LossCurveView</name>
    <message>
        <source>step</source>
        <translation>步</translation>
    </message>
    <message>
        <source>loss (nats/token)</source>
        <translation>损失（nats/词元）</translation>
    </message>
    <message>
        <source>training (batch)</source>
        <translation>训练（批次）</translation>
    </message>
    <message>
        <source>validation</source>
        <translation>验证</translation>
    </message>
    <message>
        <source>Log scale</source>
        <translation>对数刻度</translation>
    </message>
    <message>
        <source>Show the loss on a logarithmic axis</source>
        <translation>在对数坐标轴上显示损失</translation>
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
<context>
    <name>precis::views::PredictedMeasuredPlot</name>
    <message>
        <source>results with a prediction</source>
        <translation>有预测的结果</translation>
    </message>
    <message>
        <source>predicted perplexity increase (%)</source>
        <translation>预测困惑度增幅（%）</translation>
    </message>
    <message>
        <source>measured perplexity increase (%)</source>
        <translation>实测困惑度增幅（%）</translation>
    </message>
</context>
<context>
    <name>precis::views::SensitivityView</name>
    <message>
        <source>Output-weighted error (ow_err)</source>
        <translation>输出加权误差（ow_err）</translation>
    </message>
    <message>
        <source>Fisher (fisher)</source>
        <translation>Fisher（fisher）</translation>
    </message>
    <message>
        <source>Taylor saliency (taylor)</source>
        <translation>Taylor 显著性（taylor）</translation>
    </message>
    <message>
        <source>Gradient magnitude (gradmag)</source>
        <translation>梯度幅值（gradmag）</translation>
    </message>
    <message>
        <source>Head gate gradient (gate)</source>
        <translation>注意力头门控梯度（gate）</translation>
    </message>
    <message>
        <source>Head ablation (ablation)</source>
        <translation>注意力头消融（ablation）</translation>
    </message>
    <message>
        <source>Measured Δloss (measured_dloss)</source>
        <translation>实测 Δloss（measured_dloss）</translation>
    </message>
    <message>
        <source>Measured KL (measured_kl)</source>
        <translation>实测 KL（measured_kl）</translation>
    </message>
    <message>
        <source>Sensitivity metric shown in the heatmaps</source>
        <translation>热图中显示的敏感度指标</translation>
    </message>
    <message>
        <source>Quantization option whose damage is shown (per-option metrics)</source>
        <translation>显示其损害的量化选项（适用于按选项计算的指标）</translation>
    </message>
    <message>
        <source>Log scale</source>
        <translation>对数刻度</translation>
    </message>
    <message>
        <source>Colour by the logarithm of the value; zero and negative values take the lowest colour</source>
        <translation>按数值的对数着色；零和负值使用最低一级的颜色</translation>
    </message>
    <message>
        <source>head</source>
        <translation>注意力头</translation>
    </message>
    <message>
        <source>layer</source>
        <translation>层</translation>
    </message>
    <message>
        <source>tensor</source>
        <translation>张量</translation>
    </message>
    <message>
        <source>input columns / 8</source>
        <translation>输入列 / 8</translation>
    </message>
    <message>
        <source>output rows / 8</source>
        <translation>输出行 / 8</translation>
    </message>
    <message>
        <source>Tensor whose 8×8 chunk map is shown; or click a cell of the layer × tensor map</source>
        <translation>显示其 8×8 块图的张量；也可以点击“层 × 张量”图中的单元格</translation>
    </message>
    <message>
        <source>Metric of the chunk map</source>
        <translation>块图的指标</translation>
    </message>
    <message>
        <source>proxy</source>
        <translation>代理指标</translation>
    </message>
    <message>
        <source>measured</source>
        <translation>实测</translation>
    </message>
    <message>
        <source>units</source>
        <translation>单元数</translation>
    </message>
    <message>
        <source>Spearman ρ</source>
        <translation>Spearman ρ</translation>
    </message>
    <message>
        <source>kind</source>
        <translation>类型</translation>
    </message>
    <message>
        <source>How well each cheap proxy ranks the units like the measured damage (1 = same order)</source>
        <translation>每个低成本代理指标对单元的排序与实测损害的一致程度（1 = 顺序相同）</translation>
    </message>
    <message>
        <source>Grey: no value (the option cannot encode the tensor, or it was not measured). Click a tensor cell for its chunk map; scroll to zoom, drag to pan, double-click to reset.</source>
        <translation>灰色：无数值（该选项无法编码此张量，或未进行测量）。点击张量单元格可查看其块图；滚动以缩放，拖动以平移，双击以复位。</translation>
    </message>
    <message>
        <source>Chunks of:</source>
        <translation>块图张量：</translation>
    </message>
    <message>
        <source>Metric:</source>
        <translation>指标：</translation>
    </message>
    <message>
        <source>Option:</source>
        <translation>选项：</translation>
    </message>
    <message>
        <source>No sensitivity report yet: run Analyze ▸ Calibrate…</source>
        <translation>尚无敏感度报告：请运行 分析 ▸ 校准…</translation>
    </message>
    <message>
        <source>Complete: %1 calibration tokens, loss %2 nats/token.</source>
        <translation>已完成：%1 个校准词元，损失 %2 nats/词元。</translation>
    </message>
    <message>
        <source>Running: %1 · %2 tokens so far, loss %3 nats/token…</source>
        <translation>运行中：%1 · 已处理 %2 个词元，损失 %3 nats/词元…</translation>
    </message>
    <message>
        <source>—</source>
        <translation>—</translation>
    </message>
    <message>
        <source>%1 @ %2</source>
        <translation>%1 @ %2</translation>
    </message>
    <message>
        <source>Heads · %1</source>
        <translation>注意力头 · %1</translation>
    </message>
    <message>
        <source>Heads · none in this report</source>
        <translation>注意力头 · 此报告中没有</translation>
    </message>
    <message>
        <source>Tensors · %1</source>
        <translation>张量 · %1</translation>
    </message>
    <message>
        <source>Click a tensor cell to see its 8×8 chunks</source>
        <translation>点击张量单元格以查看其 8×8 块</translation>
    </message>
    <message>
        <source>%1 — no %2 chunk map</source>
        <translation>%1 — 没有 %2 块图</translation>
    </message>
    <message>
        <source>%1 — %2 × %3 chunks</source>
        <translation>%1 — %2 × %3 块</translation>
    </message>
    <message>
        <source>(Fisher at %1)</source>
        <translation>（Fisher 参考选项：%1）</translation>
    </message>
    <message>
        <source>predicted Δloss (nats/token)</source>
        <translation>预测 Δloss（nats/词元）</translation>
    </message>
    <message>
        <source>Σ |w · ∂L/∂w| (nats)</source>
        <translation>Σ |w · ∂L/∂w|（nats）</translation>
    </message>
    <message>
        <source>Σ |∂L/∂w| (nats per unit weight)</source>
        <translation>Σ |∂L/∂w|（每单位权重的 nats）</translation>
    </message>
    <message>
        <source>|∂L/∂ξ| (nats)</source>
        <translation>|∂L/∂ξ|（nats）</translation>
    </message>
    <message>
        <source>Δloss without the head (nats/token)</source>
        <translation>移除该注意力头后的 Δloss（nats/词元）</translation>
    </message>
    <message>
        <source>measured Δloss (nats/token)</source>
        <translation>实测 Δloss（nats/词元）</translation>
    </message>
    <message>
        <source>measured KL (nats/token)</source>
        <translation>实测 KL（nats/词元）</translation>
    </message>
    <message>
        <source>%1 · %2: %3 cannot encode this unit (row length)</source>
        <translation>%1 · %2：%3 无法编码此单元（行长度不符）</translation>
    </message>
    <message>
        <source>%1 · %2: no value</source>
        <translation>%1 · %2：无数值</translation>
    </message>
    <message>
        <source>%1 · %2 = %3</source>
        <translation>%1 · %2 = %3</translation>
    </message>
    <message>
        <source>blk.%1 has no %2 tensor</source>
        <translation>blk.%1 没有 %2 张量</translation>
    </message>
    <message>
        <source>%1 chunk (%2, %3), weights from row %4, column %5 · %6 = %7</source>
        <translation>%1 块 (%2, %3)，权重起始于第 %4 行、第 %5 列 · %6 = %7</translation>
    </message>
</context>
<context>
    <name>precis::views::SessionComparePlot</name>
    <message>
        <source>perplexity increase (%)</source>
        <translation>困惑度增幅（%）</translation>
    </message>
    <message>
        <source>size (MB)</source>
        <translation>大小（MB）</translation>
    </message>
    <message>
        <source>bits per weight</source>
        <translation>每权重位数</translation>
    </message>
    <message>
        <source>%1 &apos;%2&apos;: no predicted frontier</source>
        <translation>%1“%2”：无预测前沿</translation>
    </message>
    <message>
        <source>%1 &apos;%2&apos;: predicted frontier</source>
        <translation>%1“%2”：预测前沿</translation>
    </message>
    <message>
        <source>%1 &apos;%2&apos;: measured</source>
        <translation>%1“%2”：实测</translation>
    </message>
</context>
<context>
    <name>precis::views::UnitScatterPlot</name>
    <message>
        <source>attention q</source>
        <translation>注意力 q</translation>
    </message>
    <message>
        <source>attention k</source>
        <translation>注意力 k</translation>
    </message>
    <message>
        <source>attention v</source>
        <translation>注意力 v</translation>
    </message>
    <message>
        <source>attention output</source>
        <translation>注意力输出</translation>
    </message>
    <message>
        <source>attention qkv</source>
        <translation>注意力 qkv</translation>
    </message>
    <message>
        <source>ffn gate</source>
        <translation>FFN gate</translation>
    </message>
    <message>
        <source>ffn up</source>
        <translation>FFN up</translation>
    </message>
    <message>
        <source>ffn down</source>
        <translation>FFN down</translation>
    </message>
    <message>
        <source>token embeddings</source>
        <translation>词元嵌入</translation>
    </message>
    <message>
        <source>output</source>
        <translation>输出</translation>
    </message>
    <message>
        <source>other</source>
        <translation>其他</translation>
    </message>
    <message>
        <source>predicted Δloss (nats/token)</source>
        <translation>预测 Δloss（nats/词元）</translation>
    </message>
    <message>
        <source>measured Δloss (nats/token)</source>
        <translation>实测 Δloss（nats/词元）</translation>
    </message>
    <message>
        <source>Predicted vs measured Δloss per tensor</source>
        <translation>每个张量的预测与实测 Δloss</translation>
    </message>
    <message>
        <source>Select a result to see its tensors.</source>
        <translation>选择一个结果以查看其张量。</translation>
    </message>
    <message>
        <source>&apos;%1&apos; was not measured per tensor.
Tick “Measure each tensor” under Evaluation and run it again.</source>
        <translation>“%1”没有逐张量测量。
请在“评估”中勾选“逐个测量张量”后重新运行。</translation>
    </message>
    <message numerus="yes">
        <source>%1: Spearman ρ = %2 over %n tensor(s)</source>
        <translation>
            <numerusform>%1：Spearman ρ = %2（%n 个张量）</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n not drawn (no prediction, or Δloss ≤ 0)</source>
        <translation>
            <numerusform>%n 个未绘制（无预测或 Δloss ≤ 0）</numerusform>
        </translation>
    </message>
    <message>
        <source>No tensor has a positive predicted and measured Δloss to place on log axes.
Predictions come from the Budget tab&apos;s option table: calibrate with the schemes used.</source>
        <translation>没有张量同时具有正的预测和实测 Δloss，无法放在对数坐标轴上。
预测来自预算页的选项表：请使用所用的方案进行校准。</translation>
    </message>
</context>
</TS>
