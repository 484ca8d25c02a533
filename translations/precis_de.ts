<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="de">
<context>
    <name>main</name>
    <message>
        <source>Precis: a studio for compressing transformer language models.</source>
        <translation>Precis: ein Studio zum Komprimieren von Transformer-Sprachmodellen.</translation>
    </message>
    <message>
        <source>Model file or folder to open.</source>
        <translation>Zu öffnende Modelldatei oder zu öffnender Modellordner.</translation>
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
        <translation>Modell</translation>
    </message>
    <message>
        <source>Attention</source>
        <translation>Attention</translation>
    </message>
    <message>
        <source>Open a model (File ▸ Open) or drop one here</source>
        <translation>Öffnen Sie ein Modell (Datei ▸ Öffnen) oder ziehen Sie eines hierher</translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation>&amp;Datei</translation>
    </message>
    <message>
        <source>&amp;Open File…</source>
        <translation>Datei ö&amp;ffnen…</translation>
    </message>
    <message>
        <source>Open a model file (GGUF, safetensors, llama2.c)</source>
        <translation>Eine Modelldatei öffnen (GGUF, safetensors, llama2.c)</translation>
    </message>
    <message>
        <source>Open &amp;Folder…</source>
        <translation>&amp;Ordner öffnen…</translation>
    </message>
    <message>
        <source>Ctrl+Shift+O</source>
        <translation>Ctrl+Shift+O</translation>
    </message>
    <message>
        <source>Open a Hugging Face model folder (config.json + safetensors)</source>
        <translation>Einen Hugging-Face-Modellordner öffnen (config.json + safetensors)</translation>
    </message>
    <message>
        <source>&amp;Recent Models</source>
        <translation>&amp;Zuletzt geöffnete Modelle</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>&amp;Beenden</translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation>&amp;Ansicht</translation>
    </message>
    <message>
        <source>Main</source>
        <translation>Haupt</translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation>&amp;Hilfe</translation>
    </message>
    <message>
        <source>&amp;About Precis</source>
        <translation>Ü&amp;ber Precis</translation>
    </message>
    <message>
        <source>About Precis</source>
        <translation>Über Precis</translation>
    </message>
    <message>
        <source>&lt;h3&gt;Precis %1&lt;/h3&gt;&lt;p&gt;A studio for compressing transformer language models: inspect a model, watch its attention and sensitivity, choose a mixed-precision budget, compress, measure and export.&lt;/p&gt;</source>
        <translation>&lt;h3&gt;Precis %1&lt;/h3&gt;&lt;p&gt;Ein Studio zum Komprimieren von Transformer-Sprachmodellen: Modell untersuchen, Attention und Empfindlichkeit beobachten, ein Budget für gemischte Genauigkeit wählen, komprimieren, messen und exportieren.&lt;/p&gt;</translation>
    </message>
    <message>
        <source>About &amp;Qt</source>
        <translation>Über &amp;Qt</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Abbrechen</translation>
    </message>
    <message>
        <source>Stop the running job</source>
        <translation>Die laufende Aufgabe anhalten</translation>
    </message>
    <message>
        <source>Opening %1…</source>
        <translation>Öffne %1…</translation>
    </message>
    <message>
        <source>Attention needs the model&apos;s tokenizer: %1</source>
        <translation>Attention benötigt den Tokenizer des Modells: %1</translation>
    </message>
    <message>
        <source>Precis — %1</source>
        <translation>Precis — %1</translation>
    </message>
    <message>
        <source>Opened %1: %2 parameters in %3 tensors</source>
        <translation>%1 geöffnet: %2 Parameter in %3 Tensoren</translation>
    </message>
    <message>
        <source>Open Model File</source>
        <translation>Modelldatei öffnen</translation>
    </message>
    <message>
        <source>Models (*.gguf *.safetensors *.bin);;All files (*)</source>
        <translation>Modelle (*.gguf *.safetensors *.bin);;Alle Dateien (*)</translation>
    </message>
    <message>
        <source>Open Model Folder</source>
        <translation>Modellordner öffnen</translation>
    </message>
    <message>
        <source>(none)</source>
        <translation>(keine)</translation>
    </message>
    <message>
        <source>Clear List</source>
        <translation>Liste leeren</translation>
    </message>
</context>
<context>
    <name>precis::app::StudioDocument</name>
    <message>
        <source>Loading %1</source>
        <translation>Lade %1</translation>
    </message>
    <message>
        <source>Loading cancelled.</source>
        <translation>Laden abgebrochen.</translation>
    </message>
    <message>
        <source>Open a model first.</source>
        <translation>Öffnen Sie zuerst ein Modell.</translation>
    </message>
    <message>
        <source>This model has no usable tokenizer: %1</source>
        <translation>Dieses Modell hat keinen verwendbaren Tokenizer: %1</translation>
    </message>
    <message>
        <source>Computing attention</source>
        <translation>Berechne Attention</translation>
    </message>
    <message>
        <source>Attention computation cancelled.</source>
        <translation>Attention-Berechnung abgebrochen.</translation>
    </message>
</context>
<context>
    <name>precis::views::AttentionThumbnails</name>
    <message>
        <source>Click a head to show it in the large map</source>
        <translation>Einen Kopf anklicken, um ihn in der großen Karte zu zeigen</translation>
    </message>
    <message>
        <source>Head %1</source>
        <translation>Kopf %1</translation>
    </message>
</context>
<context>
    <name>precis::views::AttentionView</name>
    <message>
        <source>Type a sentence to see where each token looks</source>
        <translation>Geben Sie einen Satz ein, um zu sehen, worauf jedes Token achtet</translation>
    </message>
    <message>
        <source>Compute</source>
        <translation>Berechnen</translation>
    </message>
    <message>
        <source>Transformer layer (block) whose attention is shown</source>
        <translation>Transformer-Schicht (Block), deren Attention gezeigt wird</translation>
    </message>
    <message>
        <source>Attention head of the chosen layer</source>
        <translation>Attention-Kopf der gewählten Schicht</translation>
    </message>
    <message>
        <source>attention probability</source>
        <translation>Attention-Wahrscheinlichkeit</translation>
    </message>
    <message>
        <source>key token (attended to)</source>
        <translation>Key-Token (beachtet)</translation>
    </message>
    <message>
        <source>query token</source>
        <translation>Query-Token</translation>
    </message>
    <message>
        <source>Layer:</source>
        <translation>Schicht:</translation>
    </message>
    <message>
        <source>Head:</source>
        <translation>Kopf:</translation>
    </message>
    <message>
        <source>Head %1</source>
        <translation>Kopf %1</translation>
    </message>
    <message>
        <source>Enter some text and press Compute.</source>
        <translation>Geben Sie einen Text ein und klicken Sie auf Berechnen.</translation>
    </message>
    <message>
        <source>Computing…</source>
        <translation>Berechne…</translation>
    </message>
    <message>
        <source>Layer %1 · head %2</source>
        <translation>Schicht %1 · Kopf %2</translation>
    </message>
    <message>
        <source>Query %1 “%2” → key %3 “%4”: p = %5</source>
        <translation>Query %1 „%2“ → Key %3 „%4“: p = %5</translation>
    </message>
    <message>
        <source>(masked: a token cannot see later tokens)</source>
        <translation>(maskiert: ein Token sieht keine späteren Tokens)</translation>
    </message>
    <message>
        <source>Tokens: %1.</source>
        <translation>Tokens: %1.</translation>
    </message>
    <message>
        <source>The text was cut to its first %1 tokens (%2 more not shown).</source>
        <translation>Der Text wurde auf seine ersten %1 Tokens gekürzt (%2 weitere werden nicht gezeigt).</translation>
    </message>
</context>
<context>
    <name>precis::views::ModelTreeView</name>
    <message>
        <source>%1 bytes</source>
        <translation>%1 Bytes</translation>
    </message>
    <message>
        <source>%1 of %2 parameters</source>
        <translation>%1 von %2 Parametern</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>Name</translation>
    </message>
    <message>
        <source>Shape</source>
        <translation>Form</translation>
    </message>
    <message>
        <source>DType</source>
        <translation>Datentyp</translation>
    </message>
    <message>
        <source>Bytes</source>
        <translation>Bytes</translation>
    </message>
    <message>
        <source>Params</source>
        <translation>Parameter</translation>
    </message>
    <message>
        <source>Filter tensors (e.g. attn_q, blk.3)</source>
        <translation>Tensoren filtern (z. B. attn_q, blk.3)</translation>
    </message>
    <message>
        <source>Architecture</source>
        <translation>Architektur</translation>
    </message>
    <message>
        <source>Layers</source>
        <translation>Schichten</translation>
    </message>
    <message>
        <source>Embedding</source>
        <translation>Einbettung</translation>
    </message>
    <message>
        <source>Heads (Q / KV)</source>
        <translation>Köpfe (Q / KV)</translation>
    </message>
    <message>
        <source>Head size</source>
        <translation>Kopfgröße</translation>
    </message>
    <message>
        <source>FFN</source>
        <translation>FFN</translation>
    </message>
    <message>
        <source>Vocabulary</source>
        <translation>Vokabular</translation>
    </message>
    <message>
        <source>Context</source>
        <translation>Kontext</translation>
    </message>
    <message>
        <source>Parameters</source>
        <translation>Parameter</translation>
    </message>
    <message>
        <source>Tensors</source>
        <translation>Tensoren</translation>
    </message>
    <message>
        <source>File size</source>
        <translation>Dateigröße</translation>
    </message>
    <message>
        <source>Format</source>
        <translation>Format</translation>
    </message>
    <message>
        <source>Path</source>
        <translation>Pfad</translation>
    </message>
    <message>
        <source>Key</source>
        <translation>Schlüssel</translation>
    </message>
    <message>
        <source>Value</source>
        <translation>Wert</translation>
    </message>
    <message>
        <source>Summary</source>
        <translation>Übersicht</translation>
    </message>
    <message>
        <source>Metadata</source>
        <translation>Metadaten</translation>
    </message>
    <message>
        <source>%1 values</source>
        <translation>%1 Werte</translation>
    </message>
    <message>
        <source>mixed</source>
        <translation>gemischt</translation>
    </message>
    <message>
        <source>1 tensor</source>
        <translation>1 Tensor</translation>
    </message>
    <message>
        <source>%1 tensors</source>
        <translation>%1 Tensoren</translation>
    </message>
    <message>
        <source>Layer %1: %2</source>
        <translation>Schicht %1: %2</translation>
    </message>
    <message>
        <source>%1 (%2 bytes)</source>
        <translation>%1 (%2 Bytes)</translation>
    </message>
</context>
</TS>
