<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="de">
<context>
    <name>CompressController</name>
    <message>
        <source>stopped at end of text</source>
        <translation>am Textende angehalten</translation>
    </message>
    <message>
        <source>stopped: the context is full</source>
        <translation>angehalten: Der Kontext ist voll</translation>
    </message>
</context>
<context>
    <name>CoreMessage</name>
    <message>
        <source>%1: %2</source>
        <translation>%1: %2</translation>
    </message>
    <message>
        <source>statistics: sequences %1–%2 of %3</source>
        <translation>Statistik: Sequenzen %1–%2 von %3</translation>
    </message>
    <message>
        <source>gradients: sequences %1–%2 of %3, forward</source>
        <translation>Gradienten: Sequenzen %1–%2 von %3, vorwärts</translation>
    </message>
    <message>
        <source>gradients: sequences %1–%2 of %3, backward block %4 of %5</source>
        <translation>Gradienten: Sequenzen %1–%2 von %3, rückwärts Block %4 von %5</translation>
    </message>
    <message>
        <source>predicted damage of %1 options</source>
        <translation>Vorhergesagter Schaden von %1 Optionen</translation>
    </message>
    <message>
        <source>predicted damage %1/%2</source>
        <translation>Vorhergesagter Schaden %1/%2</translation>
    </message>
    <message>
        <source>measuring the original on %1 sequences</source>
        <translation>Original wird auf %1 Sequenzen gemessen</translation>
    </message>
    <message>
        <source>measuring units %1/%2</source>
        <translation>Einheiten werden gemessen: %1/%2</translation>
    </message>
    <message>
        <source>generating calibration text %1/%2</source>
        <translation>Kalibrierungstext wird erzeugt: %1/%2</translation>
    </message>
    <message>
        <source>Preparing the engine</source>
        <translation>Engine wird vorbereitet</translation>
    </message>
    <message>
        <source>Preparing the weights</source>
        <translation>Gewichte werden vorbereitet</translation>
    </message>
    <message>
        <source>Reading %1</source>
        <translation>%1 wird gelesen</translation>
    </message>
    <message>
        <source>Recording the model in the session database</source>
        <translation>Modell wird in der Sitzungsdatenbank erfasst</translation>
    </message>
    <message>
        <source>done</source>
        <translation>fertig</translation>
    </message>
    <message>
        <source>compress %1</source>
        <translation>%1 wird komprimiert</translation>
    </message>
    <message>
        <source>dequantize %1</source>
        <translation>%1 wird dequantisiert</translation>
    </message>
    <message>
        <source>export</source>
        <translation>Export</translation>
    </message>
    <message>
        <source>GPTQ: %1</source>
        <translation>GPTQ: %1</translation>
    </message>
    <message>
        <source>AWQ done</source>
        <translation>AWQ fertig</translation>
    </message>
    <message>
        <source>AWQ: %1</source>
        <translation>AWQ: %1</translation>
    </message>
    <message>
        <source>Preparing the engines</source>
        <translation>Engines werden vorbereitet</translation>
    </message>
    <message>
        <source>Evaluating</source>
        <translation>Auswertung</translation>
    </message>
    <message>
        <source>Per tensor</source>
        <translation>Pro Tensor</translation>
    </message>
    <message>
        <source>measuring the original on %1 × %2 tokens</source>
        <translation>Original wird auf %1 × %2 Token gemessen</translation>
    </message>
    <message>
        <source>measuring tensors %1/%2: %3</source>
        <translation>Tensoren werden gemessen %1/%2: %3</translation>
    </message>
    <message>
        <source>Recording the result</source>
        <translation>Ergebnis wird gespeichert</translation>
    </message>
    <message>
        <source>Generating (original)</source>
        <translation>Erzeugung (Original)</translation>
    </message>
    <message>
        <source>Generating (compressed)</source>
        <translation>Erzeugung (komprimiert)</translation>
    </message>
    <message>
        <source>compare</source>
        <translation>Vergleich</translation>
    </message>
    <message>
        <source>perplexity</source>
        <translation>Perplexität</translation>
    </message>
    <message>
        <source>generating text %1/%2 tokens</source>
        <translation>Text wird erzeugt: %1/%2 Token</translation>
    </message>
    <message>
        <source>warm-up</source>
        <translation>Aufwärmen</translation>
    </message>
    <message>
        <source>repetition %1 of %2</source>
        <translation>Wiederholung %1 von %2</translation>
    </message>
    <message>
        <source>loading %1</source>
        <translation>Laden von %1</translation>
    </message>
    <message>
        <source>writing %1 as GGUF</source>
        <translation>%1 wird als GGUF geschrieben</translation>
    </message>
    <message>
        <source>Running the model</source>
        <translation>Modell läuft</translation>
    </message>
    <message>
        <source>calibration cancelled</source>
        <translation>Kalibrierung abgebrochen</translation>
    </message>
    <message>
        <source>calibration run cancelled</source>
        <translation>Kalibrierungslauf abgebrochen</translation>
    </message>
    <message>
        <source>compression cancelled</source>
        <translation>Kompression abgebrochen</translation>
    </message>
    <message>
        <source>per-tensor measurement cancelled</source>
        <translation>Messung pro Tensor abgebrochen</translation>
    </message>
    <message>
        <source>benchmark cancelled</source>
        <translation>Benchmark abgebrochen</translation>
    </message>
    <message>
        <source>forward pass cancelled</source>
        <translation>Vorwärtsdurchlauf abgebrochen</translation>
    </message>
    <message>
        <source>gradient computation cancelled</source>
        <translation>Gradientenberechnung abgebrochen</translation>
    </message>
    <message>
        <source>comparison cancelled</source>
        <translation>Vergleich abgebrochen</translation>
    </message>
    <message>
        <source>perplexity cancelled</source>
        <translation>Perplexitätsmessung abgebrochen</translation>
    </message>
    <message>
        <source>generation cancelled</source>
        <translation>Erzeugung abgebrochen</translation>
    </message>
    <message>
        <source>export cancelled</source>
        <translation>Export abgebrochen</translation>
    </message>
    <message>
        <source>hashing cancelled</source>
        <translation>Hash-Berechnung abgebrochen</translation>
    </message>
    <message>
        <source>GPTQ cancelled</source>
        <translation>GPTQ abgebrochen</translation>
    </message>
    <message>
        <source>AWQ cancelled</source>
        <translation>AWQ abgebrochen</translation>
    </message>
    <message>
        <source>cancelled</source>
        <translation>abgebrochen</translation>
    </message>
    <message>
        <source>no such file or folder</source>
        <translation>Datei oder Ordner existiert nicht</translation>
    </message>
    <message>
        <source>cannot open file</source>
        <translation>Datei kann nicht geöffnet werden</translation>
    </message>
    <message>
        <source>cannot open file: %1</source>
        <translation>Datei kann nicht geöffnet werden: %1</translation>
    </message>
    <message>
        <source>cannot stat file: %1</source>
        <translation>Dateiinformationen können nicht gelesen werden: %1</translation>
    </message>
    <message>
        <source>cannot memory-map file: %1</source>
        <translation>Datei kann nicht in den Speicher abgebildet werden: %1</translation>
    </message>
    <message>
        <source>read error: %1</source>
        <translation>Lesefehler: %1</translation>
    </message>
    <message>
        <source>read error while hashing: %1</source>
        <translation>Lesefehler bei der Hash-Berechnung: %1</translation>
    </message>
    <message>
        <source>not a regular file</source>
        <translation>keine reguläre Datei</translation>
    </message>
    <message>
        <source>cannot create file: %1</source>
        <translation>Datei kann nicht angelegt werden: %1</translation>
    </message>
    <message>
        <source>write failed: %1</source>
        <translation>Schreiben fehlgeschlagen: %1</translation>
    </message>
    <message>
        <source>cannot rename temporary file into place: %1</source>
        <translation>Temporäre Datei kann nicht an ihren Platz umbenannt werden: %1</translation>
    </message>
    <message>
        <source>cannot write: the folder &apos;%1&apos; does not exist</source>
        <translation>Schreiben nicht möglich: Der Ordner &apos;%1&apos; existiert nicht</translation>
    </message>
    <message>
        <source>file is larger than the limit of %1 bytes</source>
        <translation>Datei ist größer als die Grenze von %1 Byte</translation>
    </message>
    <message>
        <source>file is empty, expected a GGUF header</source>
        <translation>Datei ist leer, erwartet wurde ein GGUF-Header</translation>
    </message>
    <message>
        <source>bad magic &apos;%1&apos;, expected &apos;GGUF&apos; (not a GGUF file)</source>
        <translation>ungültige Kennung &apos;%1&apos;, erwartet &apos;GGUF&apos; (keine GGUF-Datei)</translation>
    </message>
    <message>
        <source>version %1 is not supported, expected 2 or 3</source>
        <translation>Version %1 wird nicht unterstützt, erwartet 2 oder 3</translation>
    </message>
    <message>
        <source>file ends at byte %1 while reading %2 (%3 bytes at offset %4)</source>
        <translation>Datei endet bei Byte %1 beim Lesen von %2 (%3 Byte ab Offset %4)</translation>
    </message>
    <message>
        <source>duplicate tensor name (first as tensor #%1)</source>
        <translation>doppelter Tensorname (zuerst als Tensor #%1)</translation>
    </message>
    <message>
        <source>ggml type %1 is not a known tensor type</source>
        <translation>ggml-Typ %1 ist kein bekannter Tensortyp</translation>
    </message>
    <message>
        <source>duplicate tensor name</source>
        <translation>doppelter Tensorname</translation>
    </message>
    <message>
        <source>unknown tensor name</source>
        <translation>unbekannter Tensorname</translation>
    </message>
    <message>
        <source>tensor &apos;%1&apos; is missing (expected shape %2)</source>
        <translation>Tensor &apos;%1&apos; fehlt (erwartete Form %2)</translation>
    </message>
    <message>
        <source>tensor &apos;%1&apos; has shape %2, expected %3</source>
        <translation>Tensor &apos;%1&apos; hat die Form %2, erwartet %3</translation>
    </message>
    <message>
        <source>tensor &apos;%1&apos; is missing</source>
        <translation>Tensor &apos;%1&apos; fehlt</translation>
    </message>
    <message>
        <source>tensor &apos;%1&apos;</source>
        <translation>Tensor &apos;%1&apos;</translation>
    </message>
    <message>
        <source>tensor #%1</source>
        <translation>Tensor #%1</translation>
    </message>
    <message>
        <source>key &apos;%1&apos;</source>
        <translation>Schlüssel &apos;%1&apos;</translation>
    </message>
    <message>
        <source>key #%1</source>
        <translation>Schlüssel #%1</translation>
    </message>
    <message>
        <source>config.json not found (not a Hugging Face model folder)</source>
        <translation>config.json nicht gefunden (kein Hugging-Face-Modellordner)</translation>
    </message>
    <message>
        <source>holds neither model.safetensors nor model.safetensors.index.json</source>
        <translation>enthält weder model.safetensors noch model.safetensors.index.json</translation>
    </message>
    <message>
        <source>file is %1 bytes, too short for the 28-byte llama2.c header</source>
        <translation>Datei hat %1 Byte, zu kurz für den 28-Byte-Header von llama2.c</translation>
    </message>
    <message>
        <source>no tokenizer: %1 not found (give the tokenizer.bin path)</source>
        <translation>kein Tokenizer: %1 nicht gefunden (geben Sie den Pfad zu tokenizer.bin an)</translation>
    </message>
    <message>
        <source>the model carries no tokenizer</source>
        <translation>das Modell enthält keinen Tokenizer</translation>
    </message>
    <message>
        <source>tokenizer</source>
        <translation>Tokenizer</translation>
    </message>
    <message>
        <source>not an SQLite database (the file does not start with &quot;SQLite format 3&quot;)</source>
        <translation>keine SQLite-Datenbank (die Datei beginnt nicht mit &quot;SQLite format 3&quot;)</translation>
    </message>
    <message>
        <source>not a Precis session database (an SQLite database with other tables and no schema version)</source>
        <translation>keine Precis-Sitzungsdatenbank (eine SQLite-Datenbank mit anderen Tabellen und ohne Schemaversion)</translation>
    </message>
    <message>
        <source>the database is corrupt (quick_check: %1)</source>
        <translation>die Datenbank ist beschädigt (quick_check: %1)</translation>
    </message>
    <message>
        <source>the database is corrupt (%1)</source>
        <translation>die Datenbank ist beschädigt (%1)</translation>
    </message>
    <message>
        <source>the database has schema version %1, newer than this build of Precis understands (up to version %2); open it with a newer Precis</source>
        <translation>die Datenbank hat die Schemaversion %1, neuer als diese Precis-Version versteht (bis Version %2); öffnen Sie sie mit einem neueren Precis</translation>
    </message>
    <message>
        <source>session %1 does not exist</source>
        <translation>Sitzung %1 existiert nicht</translation>
    </message>
    <message>
        <source>cannot import: not a readable file</source>
        <translation>Import nicht möglich: keine lesbare Datei</translation>
    </message>
    <message>
        <source>the calibration text is empty</source>
        <translation>der Kalibrierungstext ist leer</translation>
    </message>
    <message>
        <source>the text has %1 tokens, expected at least %2 for one sequence of %3 (use fewer or shorter sequences, or more text)</source>
        <translation>der Text hat %1 Token, für eine Sequenz von %3 werden mindestens %2 erwartet (weniger oder kürzere Sequenzen oder mehr Text verwenden)</translation>
    </message>
    <message>
        <source>number of sequences %1, expected 1..%2</source>
        <translation>Anzahl der Sequenzen %1, erwartet 1..%2</translation>
    </message>
    <message>
        <source>sequence length %1, expected 2..%2</source>
        <translation>Sequenzlänge %1, erwartet 2..%2</translation>
    </message>
    <message>
        <source>sequence length %1 exceeds the model&apos;s context of %2 tokens</source>
        <translation>Sequenzlänge %1 überschreitet den Kontext des Modells von %2 Token</translation>
    </message>
    <message>
        <source>the vocabulary has no BOS token to start from</source>
        <translation>das Vokabular hat kein BOS-Token, mit dem es beginnen kann</translation>
    </message>
    <message>
        <source>the model stopped after %1 of %2 tokens (context full)</source>
        <translation>das Modell hielt nach %1 von %2 Token an (Kontext voll)</translation>
    </message>
    <message>
        <source>text of %1 tokens is shorter than one chunk of %2</source>
        <translation>Text mit %1 Token ist kürzer als ein Abschnitt von %2</translation>
    </message>
    <message>
        <source>perplexity context %1 exceeds the model&apos;s n_ctx = %2</source>
        <translation>Perplexitätskontext %1 überschreitet n_ctx = %2 des Modells</translation>
    </message>
    <message>
        <source>comparison context %1, expected at least 3 tokens</source>
        <translation>Vergleichskontext %1, erwartet mindestens 3 Token</translation>
    </message>
    <message>
        <source>vocabularies differ: %1 vs %2 tokens; models can only be compared on the same vocabulary</source>
        <translation>Vokabulare unterscheiden sich: %1 gegenüber %2 Token; Modelle lassen sich nur mit demselben Vokabular vergleichen</translation>
    </message>
    <message>
        <source>sequence of %1 tokens exceeds the context length n_ctx = %2</source>
        <translation>Sequenz von %1 Token überschreitet die Kontextlänge n_ctx = %2</translation>
    </message>
    <message>
        <source>the text file is empty; expected text to train on</source>
        <translation>die Textdatei ist leer; erwartet wird Text zum Trainieren</translation>
    </message>
    <message>
        <source>calibration text</source>
        <translation>Kalibrierungstext</translation>
    </message>
    <message>
        <source>evaluation text</source>
        <translation>Auswertungstext</translation>
    </message>
    <message>
        <source>no file given: choose a text to measure on</source>
        <translation>keine Datei angegeben: Wählen Sie einen Text zum Messen</translation>
    </message>
    <message>
        <source>%1 needs calibration text: choose a file</source>
        <translation>%1 braucht Kalibrierungstext: Wählen Sie eine Datei</translation>
    </message>
    <message>
        <source>%1 needs calibration text</source>
        <translation>%1 braucht Kalibrierungstext</translation>
    </message>
    <message>
        <source>prompt</source>
        <translation>Prompt</translation>
    </message>
    <message>
        <source>empty: type a few words to continue</source>
        <translation>leer: Geben Sie ein paar Wörter zum Fortsetzen ein</translation>
    </message>
    <message>
        <source>gives no tokens</source>
        <translation>ergibt keine Token</translation>
    </message>
    <message>
        <source>no model is open</source>
        <translation>kein Modell geöffnet</translation>
    </message>
    <message>
        <source>the text gives no tokens: type some text first</source>
        <translation>der Text ergibt keine Token: Geben Sie zuerst Text ein</translation>
    </message>
    <message>
        <source>plan</source>
        <translation>Plan</translation>
    </message>
    <message>
        <source>the model has no weight matrix to compress</source>
        <translation>das Modell hat keine Gewichtsmatrix zum Komprimieren</translation>
    </message>
    <message>
        <source>not enough memory to hold the weights as fp32</source>
        <translation>nicht genug Speicher, um die Gewichte als fp32 zu halten</translation>
    </message>
    <message>
        <source>this build has no CUDA backend (nvcc was not found when it was configured)</source>
        <translation>dieser Build hat kein CUDA-Backend (nvcc wurde bei der Konfiguration nicht gefunden)</translation>
    </message>
    <message>
        <source>no CUDA device: the CUDA runtime found none</source>
        <translation>kein CUDA-Gerät: Die CUDA-Laufzeit hat keines gefunden</translation>
    </message>
    <message>
        <source>no model to benchmark</source>
        <translation>kein Modell für den Benchmark</translation>
    </message>
    <message>
        <source>no measured compression with a prediction to rescale from: compress an allocation and measure it on an evaluation text first (a perplexity increase above zero is needed)</source>
        <translation>keine gemessene Kompression mit Vorhersage, nach der neu skaliert werden kann: Komprimieren Sie zuerst eine Zuteilung und messen Sie sie auf einem Auswertungstext (ein Perplexitätsanstieg über null ist nötig)</translation>
    </message>
    <message>
        <source>%1 cancelled</source>
        <translation>%1 abgebrochen</translation>
    </message>
    <message>
        <source>attention</source>
        <translation>Attention-Berechnung</translation>
    </message>
    <message>
        <source>the model file carries no tokenizer</source>
        <translation>die Modelldatei enthält keinen Tokenizer</translation>
    </message>
    <message>
        <source>Writing calibration text</source>
        <translation>Modell schreibt Kalibrierungstext</translation>
    </message>
    <message>
        <source>%1 needs calibration text: choose a file (or let the model write it)</source>
        <translation>%1 braucht Kalibrierungstext: Wählen Sie eine Datei (oder lassen Sie ihn vom Modell schreiben)</translation>
    </message>
    <message>
        <source>no file given: choose a text to calibrate on</source>
        <translation>keine Datei angegeben: Wählen Sie einen Text zum Kalibrieren</translation>
    </message>
    <message>
        <source>measuring each tensor needs an evaluation text: choose one</source>
        <translation>das Messen jedes einzelnen Tensors braucht einen Auswertungstext: Wählen Sie einen</translation>
    </message>
    <message>
        <source>measuring needs the model&apos;s tokenizer</source>
        <translation>das Messen braucht den Tokenizer des Modells</translation>
    </message>
    <message>
        <source>calibration needs the model&apos;s tokenizer</source>
        <translation>die Kalibrierung braucht den Tokenizer des Modells</translation>
    </message>
</context>
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
    <name>precis::app::AllocationsDialog</name>
    <message>
        <source>Allocations of session &apos;%1&apos;</source>
        <translation>Zuteilungen der Sitzung „%1“</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>Name</translation>
    </message>
    <message>
        <source>Budget</source>
        <translation>Budget</translation>
    </message>
    <message>
        <source>Size</source>
        <translation>Größe</translation>
    </message>
    <message>
        <source>Bits/weight</source>
        <translation>Bit/Gewicht</translation>
    </message>
    <message>
        <source>Predicted Δppl %</source>
        <translation>Vorhergesagte Δppl %</translation>
    </message>
    <message>
        <source>Predicted KL</source>
        <translation>Vorhergesagte KL</translation>
    </message>
    <message>
        <source>Units</source>
        <translation>Einheiten</translation>
    </message>
    <message>
        <source>Differing from the first</source>
        <translation>Abweichend von der ersten</translation>
    </message>
    <message>
        <source>Load into Budget Tab</source>
        <translation>In den Reiter Budget laden</translation>
    </message>
    <message>
        <source>Its budget, unit granularity, metric, options and pins replace the Budget tab&apos;s settings</source>
        <translation>Ihr Budget, ihre Granularität der Einheiten, Metrik, Optionen und Fixierungen werden in den Reiter Budget übernommen</translation>
    </message>
    <message>
        <source>Compress…</source>
        <translation>Komprimieren…</translation>
    </message>
    <message>
        <source>The Compress tab with this allocation, exactly as saved, as its plan</source>
        <translation>Den Reiter Komprimieren mit dieser Zuteilung als Plan öffnen, genau wie sie gespeichert wurde</translation>
    </message>
    <message>
        <source>Export Recipe…</source>
        <translation>Rezept exportieren…</translation>
    </message>
    <message>
        <source>Its recipe JSON, and the llama-quantize arguments that write the same types</source>
        <translation>Ihr Rezept als JSON und die llama-quantize-Argumente, die dieselben Typen schreiben</translation>
    </message>
    <message>
        <source>Delete</source>
        <translation>Löschen</translation>
    </message>
    <message>
        <source>Delete allocation</source>
        <translation>Zuteilung löschen</translation>
    </message>
    <message>
        <source>Delete the allocation &apos;%1&apos; from the session? Compressions made from it keep their results.</source>
        <translation>Die Zuteilung „%1“ aus der Sitzung löschen? Daraus erstellte Komprimierungen behalten ihre Ergebnisse.</translation>
    </message>
    <message>
        <source>—</source>
        <translation>—</translation>
    </message>
    <message>
        <source>Export</source>
        <translation>Exportieren</translation>
    </message>
</context>
<context>
    <name>precis::app::BenchmarkController</name>
    <message>
        <source>Original: %1</source>
        <translation>Original: %1</translation>
    </message>
    <message>
        <source>Compressed: %1</source>
        <translation>Komprimiert: %1</translation>
    </message>
    <message>
        <source>Kept in memory; written to a temporary GGUF file for the run.</source>
        <translation>Im Speicher gehalten; für den Lauf in eine temporäre GGUF-Datei geschrieben.</translation>
    </message>
    <message>
        <source>File: %1</source>
        <translation>Datei: %1</translation>
    </message>
    <message>
        <source>Check at least one model to benchmark.</source>
        <translation>Wählen Sie mindestens ein Modell für den Benchmark aus.</translation>
    </message>
    <message>
        <source>Cannot create a temporary folder for the compressed models: %1</source>
        <translation>Für die komprimierten Modelle kann kein temporärer Ordner angelegt werden: %1</translation>
    </message>
    <message>
        <source>Benchmark: measuring memory bandwidth</source>
        <translation>Benchmark: Speicherbandbreite wird gemessen</translation>
    </message>
    <message>
        <source>Memory bandwidth %1 GB/s</source>
        <translation>Speicherbandbreite %1 GB/s</translation>
    </message>
    <message>
        <source>Benchmark: %1</source>
        <translation>Benchmark: %1</translation>
    </message>
    <message>
        <source>Benchmark of %1: %2</source>
        <translation>Benchmark von %1: %2</translation>
    </message>
    <message>
        <source>Benchmark stopped.</source>
        <translation>Benchmark angehalten.</translation>
    </message>
    <message>
        <source>Done; the results are stored in session &apos;%1&apos;.</source>
        <translation>Fertig; die Ergebnisse sind in der Sitzung „%1“ gespeichert.</translation>
    </message>
    <message>
        <source>Done; no session is open, so the results are not stored.</source>
        <translation>Fertig; es ist keine Sitzung geöffnet, daher werden die Ergebnisse nicht gespeichert.</translation>
    </message>
</context>
<context>
    <name>precis::app::BudgetDocument</name>
    <message>
        <source>This option table cannot be allocated: %1</source>
        <translation>Für diese Optionstabelle ist keine Zuteilung möglich: %1</translation>
    </message>
    <message numerus="yes">
        <source>%n pin(s) do not fit this table and were dropped: %1</source>
        <translation>
            <numerusform>%n Fixierung passt nicht zu dieser Tabelle und wurde verworfen: %1</numerusform>
            <numerusform>%n Fixierungen passen nicht zu dieser Tabelle und wurden verworfen: %1</numerusform>
        </translation>
    </message>
    <message>
        <source>Could not solve the allocation: %1</source>
        <translation>Die Zuteilung konnte nicht berechnet werden: %1</translation>
    </message>
    <message>
        <source>Unpin %1</source>
        <translation>%1 freigeben</translation>
    </message>
    <message>
        <source>Pin %1 to %2</source>
        <translation>%1 auf %2 fixieren</translation>
    </message>
    <message numerus="yes">
        <source>Unpin %n units</source>
        <translation>
            <numerusform>%n Einheit freigeben</numerusform>
            <numerusform>%n Einheiten freigeben</numerusform>
        </translation>
    </message>
    <message>
        <source>This table came without its calibration report: its settings cannot change.</source>
        <translation>Diese Tabelle kam ohne ihren Kalibrierungsbericht: Ihre Einstellungen lassen sich nicht ändern.</translation>
    </message>
</context>
<context>
    <name>precis::app::CalibrationDialog</name>
    <message>
        <source>Memory</source>
        <translation>Speicher</translation>
    </message>
    <message>
        <source>The run may use this much memory; a run estimated to need more is refused before it starts (default: 80 % of this machine&apos;s memory)</source>
        <translation>Der Lauf darf so viel Speicher belegen; ein Lauf, der voraussichtlich mehr braucht, wird vor dem Start abgelehnt (Vorgabe: 80 % des Speichers dieses Rechners)</translation>
    </message>
    <message>
        <source>Memory limit:</source>
        <translation>Speichergrenze:</translation>
    </message>
    <message>
        <source>Estimated peak:</source>
        <translation>Geschätzter Höchstwert:</translation>
    </message>
    <message>
        <source>%1 of %2%3</source>
        <translation>%1 von %2%3</translation>
    </message>
    <message>
        <source> (measurements without the residual cache: slower)</source>
        <translation> (Messungen ohne den Residuen-Cache: langsamer)</translation>
    </message>
    <message>
        <source> (Gram matrices in a scratch file: slower)</source>
        <translation> (Gram-Matrizen in einer Auslagerungsdatei: langsamer)</translation>
    </message>
    <message>
        <source>Calibrate</source>
        <translation>Kalibrieren</translation>
    </message>
    <message>
        <source>Calibration text</source>
        <translation>Kalibrierungstext</translation>
    </message>
    <message>
        <source>Text file:</source>
        <translation>Textdatei:</translation>
    </message>
    <message>
        <source>UTF-8 text, ideally like what the model will see</source>
        <translation>UTF-8-Text, idealerweise ähnlich dem, was das Modell später sieht</translation>
    </message>
    <message>
        <source>Browse…</source>
        <translation>Durchsuchen…</translation>
    </message>
    <message>
        <source>Self-generated by the model (no data needed)</source>
        <translation>Vom Modell selbst erzeugt (keine Daten nötig)</translation>
    </message>
    <message>
        <source>The model writes each sequence from BOS (temperature 0.8, top-p 0.95, seeded)</source>
        <translation>Das Modell schreibt jede Sequenz ab BOS (Temperatur 0,8, Top-p 0,95, mit festem Seed)</translation>
    </message>
    <message>
        <source>Sequences</source>
        <translation>Sequenzen</translation>
    </message>
    <message>
        <source>N: calibration sequences</source>
        <translation>N: Kalibrierungssequenzen</translation>
    </message>
    <message>
        <source>T: tokens predicted per sequence, at most the model&apos;s context (%1)</source>
        <translation>T: vorhergesagte Tokens pro Sequenz, höchstens der Kontext des Modells (%1)</translation>
    </message>
    <message>
        <source>Seed of the window offsets or of the generated text</source>
        <translation>Seed für die Fensterpositionen oder für den erzeugten Text</translation>
    </message>
    <message>
        <source>Sequences per forward and backward pass; more is faster and uses more memory</source>
        <translation>Sequenzen pro Vorwärts- und Rückwärtsdurchlauf; mehr ist schneller und braucht mehr Speicher</translation>
    </message>
    <message>
        <source>Sequences (N):</source>
        <translation>Sequenzen (N):</translation>
    </message>
    <message>
        <source>Length (T):</source>
        <translation>Länge (T):</translation>
    </message>
    <message>
        <source>Seed:</source>
        <translation>Seed:</translation>
    </message>
    <message>
        <source>Batch (sequences):</source>
        <translation>Batch (Sequenzen):</translation>
    </message>
    <message>
        <source>Analysis</source>
        <translation>Analyse</translation>
    </message>
    <message>
        <source>Largest layer input width for which the full Gram matrix is kept</source>
        <translation>Größte Eingangsbreite einer Schicht, für die die volle Gram-Matrix behalten wird</translation>
    </message>
    <message>
        <source>Layers with at most this many inputs keep the full input Gram matrix H = Σ x xᵀ (exact output-weighted error, memory grows with inputs²); wider layers keep its diagonal only.</source>
        <translation>Schichten mit höchstens so vielen Eingängen behalten die volle Eingangs-Gram-Matrix H = Σ x xᵀ (exakter ausgabegewichteter Fehler, der Speicher wächst mit Eingängen²); breitere Schichten behalten nur ihre Diagonale.</translation>
    </message>
    <message>
        <source>all standard schemes and RTN 2–8 bits</source>
        <translation>alle Standardschemata und RTN 2–8 Bit</translation>
    </message>
    <message>
        <source>Options whose predicted damage is computed for every tensor and head, comma-separated (e.g. Q8_0, Q6_K, Q4_K, RTN4g32); empty: all</source>
        <translation>Optionen, deren vorhergesagter Schaden für jeden Tensor und jeden Kopf berechnet wird, durch Kommas getrennt (z. B. Q8_0, Q6_K, Q4_K, RTN4g32); leer: alle</translation>
    </message>
    <message>
        <source>Options at which every tensor and head is quantized alone and measured; the first is also the reference of the Fisher chunk maps</source>
        <translation>Optionen, mit denen jeder Tensor und jeder Kopf einzeln quantisiert und gemessen wird; die erste ist auch die Referenz der Fisher-Blockkarten</translation>
    </message>
    <message>
        <source>Measure the ground truth (Δloss and KL per unit at the probe options)</source>
        <translation>Den tatsächlichen Schaden messen (Δloss und KL pro Einheit bei den Prüfoptionen)</translation>
    </message>
    <message>
        <source>Head ablation (Δloss with each head removed)</source>
        <translation>Kopf-Ablation (Δloss ohne den jeweiligen Kopf)</translation>
    </message>
    <message>
        <source>The first M calibration sequences are used for the measurements</source>
        <translation>Die ersten M Kalibrierungssequenzen werden für die Messungen verwendet</translation>
    </message>
    <message>
        <source>Predicted damage on full Gram matrices wider than 4 × this many inputs uses their Nyström sketch of this many columns plus the exact diagonal (faster on large models); 0: always exact</source>
        <translation>Der vorhergesagte Schaden auf vollen Gram-Matrizen mit mehr als 4 × so vielen Eingängen nutzt ihre Nyström-Skizze mit so vielen Spalten plus die exakte Diagonale (schneller bei großen Modellen); 0: immer exakt</translation>
    </message>
    <message>
        <source>Damage sketch (columns):</source>
        <translation>Schadensskizze (Spalten):</translation>
    </message>
    <message>
        <source>Each option&apos;s predicted damage is computed from at most this many rows of each tensor, spread evenly (over each head&apos;s rows in q, k and v); 0: every row</source>
        <translation>Der vorhergesagte Schaden jeder Option wird aus höchstens so vielen Zeilen jedes Tensors berechnet, gleichmäßig verteilt (über die Zeilen jedes Kopfes in q, k und v); 0: jede Zeile</translation>
    </message>
    <message>
        <source>Damage rows (per tensor):</source>
        <translation>Schadenszeilen (je Tensor):</translation>
    </message>
    <message>
        <source>At most this many tensors and this many heads are measured per probe option (and ablated), spread evenly over the model; 0: all</source>
        <translation>Höchstens so viele Tensoren und so viele Köpfe werden je Prüfoption gemessen (und ablatiert), gleichmäßig über das Modell verteilt; 0: alle</translation>
    </message>
    <message>
        <source>Measured units (each kind):</source>
        <translation>Gemessene Einheiten (je Art):</translation>
    </message>
    <message>
        <source>Gram size limit:</source>
        <translation>Gram-Größengrenze:</translation>
    </message>
    <message>
        <source>Predicted for:</source>
        <translation>Vorhersage für:</translation>
    </message>
    <message>
        <source>Probe options:</source>
        <translation>Prüfoptionen:</translation>
    </message>
    <message>
        <source>Measurement sequences:</source>
        <translation>Messsequenzen:</translation>
    </message>
    <message>
        <source>Calibration Text</source>
        <translation>Kalibrierungstext</translation>
    </message>
    <message>
        <source>Text files (*.txt *.md);;All files (*)</source>
        <translation>Textdateien (*.txt *.md);;Alle Dateien (*)</translation>
    </message>
    <message>
        <source>Choose a text file, or let the model write its own text.</source>
        <translation>Wählen Sie eine Textdatei, oder lassen Sie das Modell seinen eigenen Text schreiben.</translation>
    </message>
</context>
<context>
    <name>precis::app::CompressController</name>
    <message>
        <source>No allocation yet: calibrate, then choose a budget in the Budget tab.</source>
        <translation>Noch keine Zuteilung: Kalibrieren Sie, und wählen Sie dann im Reiter Budget ein Budget.</translation>
    </message>
    <message>
        <source>(re-solving after a pin…)</source>
        <translation>(wird nach einer Fixierung neu berechnet…)</translation>
    </message>
    <message>
        <source>Open a model first.</source>
        <translation>Öffnen Sie zuerst ein Modell.</translation>
    </message>
    <message>
        <source>Measuring needs the model&apos;s tokenizer: %1</source>
        <translation>Das Messen benötigt den Tokenizer des Modells: %1</translation>
    </message>
    <message>
        <source>no allocation yet: calibrate, then choose a budget in the Budget tab</source>
        <translation>noch keine Zuteilung: Kalibrieren Sie, und wählen Sie dann im Reiter Budget ein Budget</translation>
    </message>
    <message>
        <source>the Budget tab is still re-solving; try again in a moment</source>
        <translation>der Reiter Budget rechnet noch neu; versuchen Sie es gleich noch einmal</translation>
    </message>
    <message>
        <source>choose a text to measure on</source>
        <translation>wählen Sie einen Text zum Messen</translation>
    </message>
    <message>
        <source>%1 needs a calibration text</source>
        <translation>%1 benötigt einen Kalibrierungstext</translation>
    </message>
    <message>
        <source>Compressing &apos;%1&apos;… (memory: %2)</source>
        <translation>Komprimiere „%1“… (Speicher: %2)</translation>
    </message>
    <message>
        <source>Compressing %1</source>
        <translation>Komprimiere %1</translation>
    </message>
    <message>
        <source>Cancelled: nothing was stored.</source>
        <translation>Abgebrochen: Es wurde nichts gespeichert.</translation>
    </message>
    <message>
        <source>The model changed while &apos;%1&apos; was compressed: the result was dropped.</source>
        <translation>Das Modell hat sich geändert, während „%1“ komprimiert wurde: Das Ergebnis wurde verworfen.</translation>
    </message>
    <message>
        <source>The result is not stored: %1</source>
        <translation>Das Ergebnis wurde nicht gespeichert: %1</translation>
    </message>
    <message>
        <source>&apos;%1&apos;: %2 bits/weight, perplexity ×%3, KL %4 nats, top-1 %5 % (%6 s).</source>
        <translation>„%1“: %2 Bit/Gewicht, Perplexität ×%3, KL %4 nats, Top-1 %5 % (%6 s).</translation>
    </message>
    <message>
        <source>Generation needs the model&apos;s tokenizer.</source>
        <translation>Die Generierung benötigt den Tokenizer des Modells.</translation>
    </message>
    <message>
        <source>Choose a compressed model that is still in memory (run one first).</source>
        <translation>Wählen Sie ein komprimiertes Modell, das sich noch im Speicher befindet (führen Sie zuerst eine Komprimierung aus).</translation>
    </message>
    <message>
        <source>Generating</source>
        <translation>Generiere</translation>
    </message>
    <message>
        <source>Generation cancelled.</source>
        <translation>Generierung abgebrochen.</translation>
    </message>
    <message numerus="yes">
        <source>Identical: both models wrote the same %n token(s).</source>
        <translation>
            <numerusform>Identisch: Beide Modelle haben denselben Text aus %n Token geschrieben.</numerusform>
            <numerusform>Identisch: Beide Modelle haben denselben Text aus %n Tokens geschrieben.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>The texts part at new token %1 (highlighted); the first %n token(s) agree.</source>
        <translation>
            <numerusform>Die Texte gehen ab dem neuen Token %1 auseinander (hervorgehoben); %n Token davor stimmt überein.</numerusform>
            <numerusform>Die Texte gehen ab dem neuen Token %1 auseinander (hervorgehoben); die %n Tokens davor stimmen überein.</numerusform>
        </translation>
    </message>
    <message>
        <source>Original</source>
        <translation>Original</translation>
    </message>
    <message>
        <source>Compressed: %1</source>
        <translation>Komprimiert: %1</translation>
    </message>
    <message numerus="yes">
        <source>%n tensor(s) measured one at a time in %1 s.</source>
        <translation>
            <numerusform>%n Tensor einzeln gemessen in %1 s.</numerusform>
            <numerusform>%n Tensoren einzeln gemessen in %1 s.</numerusform>
        </translation>
    </message>
    <message>
        <source>budget %1: %2 MB · %3 bits/weight · predicted Δppl +%4 %</source>
        <translation>Budget %1: %2 MB · %3 Bit/Gewicht · vorhergesagte Δppl +%4 %</translation>
    </message>
    <message>
        <source>Per-head units give parts of a tensor their own types.</source>
        <translation>Einheiten pro Kopf geben Teilen eines Tensors eigene Typen.</translation>
    </message>
    <message>
        <source>the session has no allocation named &apos;%1&apos;</source>
        <translation>die Sitzung hat keine Zuteilung namens „%1“</translation>
    </message>
</context>
<context>
    <name>precis::app::ExportDialog</name>
    <message>
        <source>Export &apos;%1&apos;</source>
        <translation>„%1“ exportieren</translation>
    </message>
    <message>
        <source>GGUF file (llama.cpp, Ollama)</source>
        <translation>GGUF-Datei (llama.cpp, Ollama)</translation>
    </message>
    <message>
        <source>Hugging Face folder (safetensors)</source>
        <translation>Hugging-Face-Ordner (safetensors)</translation>
    </message>
    <message>
        <source>Recipe (JSON: a scheme per tensor)</source>
        <translation>Rezept (JSON: ein Schema pro Tensor)</translation>
    </message>
    <message>
        <source>Every tensor is dequantized to this type (safetensors has no block formats)</source>
        <translation>Jeder Tensor wird in diesen Typ dequantisiert (safetensors kennt keine Blockformate)</translation>
    </message>
    <message>
        <source>Copy</source>
        <translation>Kopieren</translation>
    </message>
    <message>
        <source>Copy the command line to the clipboard</source>
        <translation>Die Befehlszeile in die Zwischenablage kopieren</translation>
    </message>
    <message>
        <source>Export</source>
        <translation>Exportieren</translation>
    </message>
    <message>
        <source>Format:</source>
        <translation>Format:</translation>
    </message>
    <message>
        <source>Write to:</source>
        <translation>Schreiben nach:</translation>
    </message>
    <message>
        <source>Element type:</source>
        <translation>Elementtyp:</translation>
    </message>
    <message>
        <source>The same types with llama.cpp, from the original model:</source>
        <translation>Dieselben Typen mit llama.cpp, ausgehend vom Originalmodell:</translation>
    </message>
    <message>
        <source>llama.cpp cannot write this plan: %1</source>
        <translation>llama.cpp kann diesen Plan nicht schreiben: %1</translation>
    </message>
    <message>
        <source># the input must be the original as an F32/F16 GGUF file (llama.cpp&apos;s convert_hf_to_gguf.py makes one)</source>
        <translation># die Eingabe muss das Original als F32/F16-GGUF-Datei sein (convert_hf_to_gguf.py von llama.cpp erzeugt eine)</translation>
    </message>
    <message>
        <source>The compressed model is no longer in memory: run it again to export it, or export its recipe.</source>
        <translation>Das komprimierte Modell ist nicht mehr im Speicher: Führen Sie die Komprimierung erneut aus, um es zu exportieren, oder exportieren Sie sein Rezept.</translation>
    </message>
    <message>
        <source>A folder with config.json, model.safetensors and the tokenizer; quantized tensors are dequantized.</source>
        <translation>Ein Ordner mit config.json, model.safetensors und dem Tokenizer; quantisierte Tensoren werden dequantisiert.</translation>
    </message>
    <message>
        <source>precis-cli compress --recipe FILE applies it to the original model again.</source>
        <translation>precis-cli compress --recipe FILE wendet es erneut auf das Originalmodell an.</translation>
    </message>
    <message>
        <source>Folder to Write Into</source>
        <translation>Zielordner</translation>
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
        <translation>Wählen Sie, wohin geschrieben werden soll.</translation>
    </message>
    <message numerus="yes">
        <source>Wrote %1 (%n tensor(s)).</source>
        <translation>
            <numerusform>%1 geschrieben (%n Tensor).</numerusform>
            <numerusform>%1 geschrieben (%n Tensoren).</numerusform>
        </translation>
    </message>
    <message>
        <source>The compressed model is no longer in memory: run it again to export it.</source>
        <translation>Das komprimierte Modell ist nicht mehr im Speicher: Führen Sie die Komprimierung erneut aus, um es zu exportieren.</translation>
    </message>
    <message>
        <source>Nothing written.</source>
        <translation>Nichts geschrieben.</translation>
    </message>
    <message>
        <source>Writing %1…</source>
        <translation>Schreibe %1…</translation>
    </message>
    <message>
        <source>Exporting %1</source>
        <translation>Exportiere %1</translation>
    </message>
    <message>
        <source>Wrote %1 (%2).</source>
        <translation>%1 geschrieben (%2).</translation>
    </message>
    <message>
        <source>Export failed: %1</source>
        <translation>Export fehlgeschlagen: %1</translation>
    </message>
    <message>
        <source>the nearest GGUF type (at least as many bits)</source>
        <translation>nächstliegender GGUF-Typ (mindestens ebenso viele Bits)</translation>
    </message>
    <message>
        <source>F16</source>
        <translation>F16</translation>
    </message>
    <message>
        <source>refuse (write nothing)</source>
        <translation>ablehnen (nichts schreiben)</translation>
    </message>
    <message>
        <source>GGUF has no type for Precis&apos; RTN format or for tensors whose heads have different types: how to store them</source>
        <translation>GGUF hat keinen Typ für das RTN-Format von Precis oder für Tensoren, deren Köpfe verschiedene Typen haben: wie sie gespeichert werden</translation>
    </message>
    <message>
        <source>Precis-native tensors as:</source>
        <translation>Precis-eigene Tensoren als:</translation>
    </message>
    <message numerus="yes">
        <source>%n tensor(s) hold Precis-native types (RTN, or heads of different types), which GGUF cannot store: the export will refuse them.</source>
        <translation>
            <numerusform>%n Tensor hat einen Precis-eigenen Typ (RTN oder Köpfe verschiedener Typen), den GGUF nicht speichern kann: Der Export wird ihn ablehnen.</numerusform>
            <numerusform>%n Tensoren haben Precis-eigene Typen (RTN oder Köpfe verschiedener Typen), die GGUF nicht speichern kann: Der Export wird sie ablehnen.</numerusform>
        </translation>
    </message>
    <message>
        <source>%1: %2 → %3</source>
        <translation>%1: %2 → %3</translation>
    </message>
    <message numerus="yes">
        <source>… and %n more</source>
        <translation>
            <numerusform>… und %n weiterer</numerusform>
            <numerusform>… und %n weitere</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n tensor(s) hold Precis-native types, which GGUF cannot store; in the file they become:</source>
        <translation>
            <numerusform>%n Tensor hat einen Precis-eigenen Typ, den GGUF nicht speichern kann; in der Datei wird daraus:</numerusform>
            <numerusform>%n Tensoren haben Precis-eigene Typen, die GGUF nicht speichern kann; in der Datei werden daraus:</numerusform>
        </translation>
    </message>
    <message>
        <source>Their bytes: %1 → %2 (the rest of the file is unchanged); the file&apos;s accuracy is that of the stored types, not the plan&apos;s — measure the file with precis-cli eval.</source>
        <translation>Ihre Bytes: %1 → %2 (der Rest der Datei bleibt unverändert); die Genauigkeit der Datei ist die der gespeicherten Typen, nicht die des Plans — messen Sie die Datei mit precis-cli eval.</translation>
    </message>
</context>
<context>
    <name>precis::app::Language</name>
    <message>
        <source>&amp;Language</source>
        <translation>&amp;Sprache</translation>
    </message>
    <message>
        <source>Language</source>
        <translation>Sprache</translation>
    </message>
    <message>
        <source>The language changes to %1 when Precis is started next.</source>
        <translation>Die Sprache wechselt beim nächsten Start von Precis zu %1.</translation>
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
    <message>
        <source>Sensitivity</source>
        <translation>Empfindlichkeit</translation>
    </message>
    <message>
        <source>The budget needs a sensitivity report: run Analyze ▸ Calibrate…</source>
        <translation>Das Budget benötigt einen Empfindlichkeitsbericht: Starten Sie Analyse ▸ Kalibrieren…</translation>
    </message>
    <message>
        <source>Budget</source>
        <translation>Budget</translation>
    </message>
    <message>
        <source>&amp;New Session…</source>
        <translation>&amp;Neue Sitzung…</translation>
    </message>
    <message>
        <source>Start a new session for the open model; calibrations and allocations are stored in it</source>
        <translation>Eine neue Sitzung für das geöffnete Modell beginnen; Kalibrierungen und Zuteilungen werden darin gespeichert</translation>
    </message>
    <message>
        <source>Recent S&amp;essions</source>
        <translation>Zu&amp;letzt geöffnete Sitzungen</translation>
    </message>
    <message>
        <source>&amp;Train Micro Model…</source>
        <translation>Mikromodell &amp;trainieren…</translation>
    </message>
    <message>
        <source>Train a small model from scratch on a text file</source>
        <translation>Ein kleines Modell von Grund auf mit einer Textdatei trainieren</translation>
    </message>
    <message>
        <source>&amp;Edit</source>
        <translation>&amp;Bearbeiten</translation>
    </message>
    <message>
        <source>No sensitivity report yet: run Analyze ▸ Calibrate…</source>
        <translation>Noch kein Empfindlichkeitsbericht: Starten Sie Analyse ▸ Kalibrieren…</translation>
    </message>
    <message>
        <source>&amp;Analyze</source>
        <translation>A&amp;nalyse</translation>
    </message>
    <message>
        <source>&amp;Calibrate…</source>
        <translation>&amp;Kalibrieren…</translation>
    </message>
    <message>
        <source>Ctrl+K</source>
        <translation>Ctrl+K</translation>
    </message>
    <message>
        <source>Measure how sensitive each layer, head and 8×8 block of the model is</source>
        <translation>Messen, wie empfindlich jede Schicht, jeder Kopf und jeder 8×8-Block des Modells ist</translation>
    </message>
    <message>
        <source>Calibrating: the heatmaps fill in as the run goes (progress below).</source>
        <translation>Kalibrierung läuft: Die Heatmaps füllen sich im Verlauf (Fortschritt unten).</translation>
    </message>
    <message>
        <source>Precis — %1 (%2)</source>
        <translation>Precis — %1 (%2)</translation>
    </message>
    <message>
        <source>Open a model first: a session belongs to a model.</source>
        <translation>Öffnen Sie zuerst ein Modell: Eine Sitzung gehört zu einem Modell.</translation>
    </message>
    <message>
        <source>New Session</source>
        <translation>Neue Sitzung</translation>
    </message>
    <message>
        <source>Session name:</source>
        <translation>Name der Sitzung:</translation>
    </message>
    <message>
        <source>No session yet: allocations are saved in a session (Budget ▸ Save allocation…).</source>
        <translation>Noch keine Sitzung: Zuteilungen werden in einer Sitzung gespeichert (Budget ▸ Zuteilung speichern…).</translation>
    </message>
    <message>
        <source>Compress</source>
        <translation>Komprimieren</translation>
    </message>
    <message>
        <source>&amp;Compress</source>
        <translation>&amp;Komprimieren</translation>
    </message>
    <message>
        <source>Compress &amp;&amp; &amp;Measure</source>
        <translation>Komprimieren &amp;&amp; &amp;messen</translation>
    </message>
    <message>
        <source>Ctrl+M</source>
        <translation>Ctrl+M</translation>
    </message>
    <message>
        <source>Compress the model with the Compress tab&apos;s settings and measure it against the original</source>
        <translation>Das Modell mit den Einstellungen des Reiters Komprimieren komprimieren und gegen das Original messen</translation>
    </message>
    <message>
        <source>&amp;Export Selected Result…</source>
        <translation>Ausgewähltes Ergebnis &amp;exportieren…</translation>
    </message>
    <message>
        <source>Select a result in the Compress tab first.</source>
        <translation>Wählen Sie zuerst im Reiter Komprimieren ein Ergebnis aus.</translation>
    </message>
    <message>
        <source>Benchmark</source>
        <translation>Benchmark</translation>
    </message>
    <message>
        <source>Add a Model to Benchmark</source>
        <translation>Ein Modell zum Benchmark hinzufügen</translation>
    </message>
    <message>
        <source>GGUF models (*.gguf);;All files (*)</source>
        <translation>GGUF-Modelle (*.gguf);;Alle Dateien (*)</translation>
    </message>
    <message>
        <source>&amp;Benchmark…</source>
        <translation>&amp;Benchmark…</translation>
    </message>
    <message>
        <source>Ctrl+B</source>
        <translation>Ctrl+B</translation>
    </message>
    <message>
        <source>Prefill and decode speed, memory and size of the original and the compressed models</source>
        <translation>Prefill- und Decode-Geschwindigkeit, Speicher und Größe des Originals und der komprimierten Modelle</translation>
    </message>
    <message>
        <source>Cannot calibrate the predictor: %1</source>
        <translation>Die Vorhersage kann nicht kalibriert werden: %1</translation>
    </message>
    <message>
        <source>%1: predicted %2, measured %3 nats/token (× %4)</source>
        <translation>%1: vorhergesagt %2, gemessen %3 nats/Token (× %4)</translation>
    </message>
    <message numerus="yes">
        <source>Fitted to %n measured compression(s) of this session (spread × %1):</source>
        <translation>
            <numerusform>An %n gemessene Komprimierung dieser Sitzung angepasst (Streuung × %1):</numerusform>
            <numerusform>An %n gemessene Komprimierungen dieser Sitzung angepasst (Streuung × %1):</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Predicted damage × %1 from %n measured compression(s); the budget is re-solved.</source>
        <translation>
            <numerusform>Vorhergesagter Schaden × %1 aus %n gemessenen Komprimierung; das Budget wird neu berechnet.</numerusform>
            <numerusform>Vorhergesagter Schaden × %1 aus %n gemessenen Komprimierungen; das Budget wird neu berechnet.</numerusform>
        </translation>
    </message>
    <message>
        <source>&amp;Sessions…</source>
        <translation>&amp;Sitzungen…</translation>
    </message>
    <message>
        <source>The sessions of this database: reopen, rename, delete, compare, export, import</source>
        <translation>Die Sitzungen dieser Datenbank: wieder öffnen, umbenennen, löschen, vergleichen, exportieren, importieren</translation>
    </message>
    <message>
        <source>&amp;Undo</source>
        <translation>&amp;Rückgängig</translation>
    </message>
    <message>
        <source>&amp;Redo</source>
        <translation>&amp;Wiederholen</translation>
    </message>
    <message>
        <source>Saved &amp;Allocations…</source>
        <translation>Gespeicherte &amp;Zuteilungen…</translation>
    </message>
    <message>
        <source>The allocations saved in this session, side by side: load one into the Budget tab, compress it, export its recipe or llama-quantize arguments</source>
        <translation>Die in dieser Sitzung gespeicherten Zuteilungen nebeneinander: eine in den Reiter Budget laden, komprimieren, ihr Rezept oder ihre llama-quantize-Argumente exportieren</translation>
    </message>
    <message>
        <source>Model file missing</source>
        <translation>Modelldatei fehlt</translation>
    </message>
    <message>
        <source>The session&apos;s model %1 is not there (a session from another machine, or a moved file). Locate the same file? Precis checks that its SHA-256 matches.</source>
        <translation>Das Modell %1 der Sitzung ist nicht vorhanden (eine Sitzung von einem anderen Rechner oder eine verschobene Datei). Dieselbe Datei suchen? Precis prüft, ob ihre SHA-256 übereinstimmt.</translation>
    </message>
    <message>
        <source>Locate %1</source>
        <translation>%1 suchen</translation>
    </message>
    <message>
        <source>The allocation &apos;%1&apos; is no longer in the session.</source>
        <translation>Die Zuteilung „%1“ ist nicht mehr in der Sitzung.</translation>
    </message>
</context>
<context>
    <name>precis::app::SessionCompareDialog</name>
    <message>
        <source>Compare Sessions</source>
        <translation>Sitzungen vergleichen</translation>
    </message>
    <message>
        <source>Comparing sessions…</source>
        <translation>Sitzungen werden verglichen…</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Abbrechen</translation>
    </message>
    <message>
        <source>size in MB</source>
        <translation>Größe in MB</translation>
    </message>
    <message>
        <source>bits per weight</source>
        <translation>Bit pro Gewicht</translation>
    </message>
    <message>
        <source>The plot&apos;s size axis: bits per weight compares models of different sizes</source>
        <translation>Die Größenachse des Diagramms: Bit pro Gewicht vergleicht Modelle verschiedener Größe</translation>
    </message>
    <message>
        <source>Size axis:</source>
        <translation>Größenachse:</translation>
    </message>
    <message>
        <source>Field</source>
        <translation>Feld</translation>
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
        <translation>Wird abgebrochen…</translation>
    </message>
    <message>
        <source>Waiting for the job to start…</source>
        <translation>Warten auf den Start des Auftrags…</translation>
    </message>
    <message>
        <source>Comparing sessions</source>
        <translation>Sitzungen vergleichen</translation>
    </message>
    <message>
        <source>Comparison cancelled.</source>
        <translation>Vergleich abgebrochen.</translation>
    </message>
    <message>
        <source>No comparison</source>
        <translation>Kein Vergleich</translation>
    </message>
    <message>
        <source>Session</source>
        <translation>Sitzung</translation>
    </message>
    <message>
        <source>Model file</source>
        <translation>Modelldatei</translation>
    </message>
    <message>
        <source>Model SHA-256</source>
        <translation>SHA-256 des Modells</translation>
    </message>
    <message>
        <source>Architecture</source>
        <translation>Architektur</translation>
    </message>
    <message>
        <source>Parameters</source>
        <translation>Parameter</translation>
    </message>
    <message>
        <source>Model file size</source>
        <translation>Größe der Modelldatei</translation>
    </message>
    <message>
        <source>Model file on this machine</source>
        <translation>Modelldatei auf diesem Rechner</translation>
    </message>
    <message>
        <source>Calibration runs</source>
        <translation>Kalibrierläufe</translation>
    </message>
    <message>
        <source>Calibration text</source>
        <translation>Kalibriertext</translation>
    </message>
    <message>
        <source>Sequences × tokens</source>
        <translation>Sequenzen × Tokens</translation>
    </message>
    <message>
        <source>Seed</source>
        <translation>Startwert</translation>
    </message>
    <message>
        <source>Options</source>
        <translation>Optionen</translation>
    </message>
    <message>
        <source>Probe options</source>
        <translation>Messoptionen</translation>
    </message>
    <message>
        <source>Measured per unit</source>
        <translation>Pro Einheit gemessen</translation>
    </message>
    <message>
        <source>Head ablation</source>
        <translation>Kopf-Ablation</translation>
    </message>
    <message>
        <source>Calibration tokens</source>
        <translation>Kalibriertokens</translation>
    </message>
    <message>
        <source>Baseline loss (nats/token)</source>
        <translation>Grundverlust (nats/Token)</translation>
    </message>
    <message>
        <source>Budget state</source>
        <translation>Budget-Zustand</translation>
    </message>
    <message>
        <source>Budget kind</source>
        <translation>Budgetart</translation>
    </message>
    <message>
        <source>Budget value</source>
        <translation>Budgetwert</translation>
    </message>
    <message>
        <source>Granularity</source>
        <translation>Granularität</translation>
    </message>
    <message>
        <source>Damage metric</source>
        <translation>Schadensmaß</translation>
    </message>
    <message>
        <source>Option set</source>
        <translation>Optionsmenge</translation>
    </message>
    <message>
        <source>Pinned units</source>
        <translation>Fixierte Einheiten</translation>
    </message>
    <message>
        <source>Damage scale</source>
        <translation>Schadensfaktor</translation>
    </message>
    <message>
        <source>Saved allocations</source>
        <translation>Gespeicherte Zuteilungen</translation>
    </message>
    <message>
        <source>Compressions</source>
        <translation>Kompressionen</translation>
    </message>
    <message>
        <source>Benchmarks</source>
        <translation>Benchmarks</translation>
    </message>
    <message>
        <source>Predicted frontier</source>
        <translation>Vorhergesagte Front</translation>
    </message>
    <message>
        <source>Lowest measured Δppl</source>
        <translation>Kleinstes gemessenes Δppl</translation>
    </message>
    <message>
        <source>Decode tok/s of the original (latest benchmark)</source>
        <translation>Decodierung Token/s des Originals (letzter Benchmark)</translation>
    </message>
    <message>
        <source>Best measured Δppl at ≤ %1</source>
        <translation>Bestes gemessenes Δppl bei ≤ %1</translation>
    </message>
    <message>
        <source>A: &apos;%1&apos;   B: &apos;%2&apos;</source>
        <translation>A: „%1“   B: „%2“</translation>
    </message>
    <message numerus="yes">
        <source>%n field(s) differ.</source>
        <translation>
            <numerusform>%n Feld unterscheidet sich.</numerusform>
            <numerusform>%n Felder unterscheiden sich.</numerusform>
        </translation>
    </message>
    <message>
        <source>A: %1</source>
        <translation>A: %1</translation>
    </message>
    <message>
        <source>B: %1</source>
        <translation>B: %1</translation>
    </message>
    <message>
        <source>Of the latest finished calibration run</source>
        <translation>Des letzten abgeschlossenen Kalibrierlaufs</translation>
    </message>
</context>
<context>
    <name>precis::app::SessionsDialog</name>
    <message>
        <source>Sessions in %1</source>
        <translation>Sitzungen in %1</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>Name</translation>
    </message>
    <message>
        <source>Model</source>
        <translation>Modell</translation>
    </message>
    <message>
        <source>Calibrations</source>
        <translation>Kalibrierungen</translation>
    </message>
    <message>
        <source>Allocations</source>
        <translation>Zuteilungen</translation>
    </message>
    <message>
        <source>Compressions</source>
        <translation>Kompressionen</translation>
    </message>
    <message>
        <source>Benchmarks</source>
        <translation>Benchmarks</translation>
    </message>
    <message>
        <source>Last used</source>
        <translation>Zuletzt verwendet</translation>
    </message>
    <message>
        <source>Open</source>
        <translation>Öffnen</translation>
    </message>
    <message>
        <source>Rename…</source>
        <translation>Umbenennen…</translation>
    </message>
    <message>
        <source>Delete…</source>
        <translation>Löschen…</translation>
    </message>
    <message>
        <source>Export…</source>
        <translation>Exportieren…</translation>
    </message>
    <message>
        <source>Import…</source>
        <translation>Importieren…</translation>
    </message>
    <message>
        <source>Compare</source>
        <translation>Vergleichen</translation>
    </message>
    <message>
        <source>Select two sessions: their frontiers and results on one plot, and what differs</source>
        <translation>Zwei Sitzungen auswählen: ihre Fronten und Ergebnisse in einem Diagramm und was sich unterscheidet</translation>
    </message>
    <message>
        <source>Rename Session</source>
        <translation>Sitzung umbenennen</translation>
    </message>
    <message>
        <source>New name:</source>
        <translation>Neuer Name:</translation>
    </message>
    <message>
        <source>Delete Sessions</source>
        <translation>Sitzungen löschen</translation>
    </message>
    <message numerus="yes">
        <source>Delete %n session(s) with every calibration, allocation, compression and benchmark in them? Model files and exported files stay.</source>
        <translation>
            <numerusform>%n Sitzung mit allen darin enthaltenen Kalibrierungen, Zuteilungen, Komprimierungen und Benchmarks löschen? Modelldateien und exportierte Dateien bleiben erhalten.</numerusform>
            <numerusform>%n Sitzungen mit allen darin enthaltenen Kalibrierungen, Zuteilungen, Komprimierungen und Benchmarks löschen? Modelldateien und exportierte Dateien bleiben erhalten.</numerusform>
        </translation>
    </message>
    <message>
        <source>Export Session</source>
        <translation>Sitzung exportieren</translation>
    </message>
    <message>
        <source>Precis sessions (*.sqlite);;All files (*)</source>
        <translation>Precis-Sitzungen (*.sqlite);;Alle Dateien (*)</translation>
    </message>
    <message>
        <source>Import Session</source>
        <translation>Sitzung importieren</translation>
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
    <message>
        <source>%1: the model of session &apos;%2&apos; is missing</source>
        <translation>%1: Das Modell der Sitzung „%2“ fehlt</translation>
    </message>
    <message>
        <source>%1 has changed since session &apos;%2&apos; was made (its SHA-256 differs): the stored results describe the old file.</source>
        <translation>%1 wurde geändert, seit die Sitzung „%2“ angelegt wurde (die SHA-256 weicht ab): Die gespeicherten Ergebnisse beschreiben die alte Datei.</translation>
    </message>
    <message>
        <source>Run a calibration (or File ▸ New Session) first: allocations belong to a session.</source>
        <translation>Führen Sie zuerst eine Kalibrierung aus (oder Datei ▸ Neue Sitzung): Zuteilungen gehören zu einer Sitzung.</translation>
    </message>
    <message>
        <source>Saved allocation &apos;%1&apos; in session &apos;%2&apos;.</source>
        <translation>Zuteilung „%1“ in Sitzung „%2“ gespeichert.</translation>
    </message>
    <message>
        <source>Calibration needs the model&apos;s tokenizer: %1</source>
        <translation>Die Kalibrierung benötigt den Tokenizer des Modells: %1</translation>
    </message>
    <message>
        <source>A calibration is already running.</source>
        <translation>Es läuft bereits eine Kalibrierung.</translation>
    </message>
    <message>
        <source>Calibrating</source>
        <translation>Kalibriere</translation>
    </message>
    <message>
        <source>Calibration cancelled.</source>
        <translation>Kalibrierung abgebrochen.</translation>
    </message>
    <message>
        <source>The compression has no session to be stored in.</source>
        <translation>Es gibt keine Sitzung, in der die Komprimierung gespeichert werden kann.</translation>
    </message>
    <message numerus="yes">
        <source>%n record(s) of this session cannot be read and are not shown: %1</source>
        <translation>
            <numerusform>%n Eintrag dieser Sitzung kann nicht gelesen werden und wird nicht angezeigt: %1</numerusform>
            <numerusform>%n Einträge dieser Sitzung können nicht gelesen werden und werden nicht angezeigt: %1</numerusform>
        </translation>
    </message>
    <message>
        <source>Imported session &apos;%1&apos; from %2.</source>
        <translation>Sitzung „%1“ aus %2 importiert.</translation>
    </message>
    <message>
        <source>There is no allocation to save: calibrate and choose a budget first.</source>
        <translation>Es gibt keine Zuteilung zum Speichern: Kalibrieren Sie zuerst, und wählen Sie dann ein Budget.</translation>
    </message>
    <message numerus="yes">
        <source>Loaded &apos;%1&apos;: the session&apos;s calibration has changed since it was saved, so %n unit(s) now get other options.</source>
        <translation>
            <numerusform>„%1“ geladen: Die Kalibrierung der Sitzung hat sich seit dem Speichern geändert, daher erhält %n Einheit jetzt eine andere Option.</numerusform>
            <numerusform>„%1“ geladen: Die Kalibrierung der Sitzung hat sich seit dem Speichern geändert, daher erhalten %n Einheiten jetzt andere Optionen.</numerusform>
        </translation>
    </message>
    <message>
        <source>Loaded allocation &apos;%1&apos; into the Budget tab.</source>
        <translation>Zuteilung „%1“ in den Reiter Budget geladen.</translation>
    </message>
</context>
<context>
    <name>precis::app::TrainDialog</name>
    <message>
        <source>%1 h %2 min</source>
        <translation>%1 h %2 min</translation>
    </message>
    <message>
        <source>%1 min %2 s</source>
        <translation>%1 min %2 s</translation>
    </message>
    <message>
        <source>%1 s</source>
        <translation>%1 s</translation>
    </message>
    <message>
        <source>Train Micro Model</source>
        <translation>Mikromodell trainieren</translation>
    </message>
    <message>
        <source>Choose a text file and press Start.</source>
        <translation>Wählen Sie eine Textdatei und klicken Sie auf Starten.</translation>
    </message>
    <message>
        <source>Start</source>
        <translation>Starten</translation>
    </message>
    <message>
        <source>Train a new model with these settings</source>
        <translation>Ein neues Modell mit diesen Einstellungen trainieren</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Abbrechen</translation>
    </message>
    <message>
        <source>Stop after the current step and keep a loadable checkpoint</source>
        <translation>Nach dem aktuellen Schritt anhalten und einen ladbaren Checkpoint behalten</translation>
    </message>
    <message>
        <source>Hide this window; a running training goes on (see the status bar)</source>
        <translation>Dieses Fenster ausblenden; ein laufendes Training geht weiter (siehe Statusleiste)</translation>
    </message>
    <message>
        <source>Data</source>
        <translation>Daten</translation>
    </message>
    <message>
        <source>UTF-8 text file to train on</source>
        <translation>UTF-8-Textdatei, mit der trainiert wird</translation>
    </message>
    <message>
        <source>Browse…</source>
        <translation>Durchsuchen…</translation>
    </message>
    <message>
        <source>Receives model.gguf, a Hugging Face folder and the trainer state; created if missing</source>
        <translation>Erhält model.gguf, einen Hugging-Face-Ordner und den Trainerzustand; wird angelegt, falls nicht vorhanden</translation>
    </message>
    <message>
        <source>Corpus:</source>
        <translation>Korpus:</translation>
    </message>
    <message>
        <source>Output folder:</source>
        <translation>Ausgabeordner:</translation>
    </message>
    <message>
        <source>Model</source>
        <translation>Modell</translation>
    </message>
    <message>
        <source>Llama (RMSNorm, RoPE, SwiGLU)</source>
        <translation>Llama (RMSNorm, RoPE, SwiGLU)</translation>
    </message>
    <message>
        <source>GPT-2 (LayerNorm, learned positions, GELU)</source>
        <translation>GPT-2 (LayerNorm, gelernte Positionen, GELU)</translation>
    </message>
    <message>
        <source>Tiny (2 layers × 64, ≈0.15 M params)</source>
        <translation>Winzig (2 Schichten × 64, ≈0,15 Mio. Parameter)</translation>
    </message>
    <message>
        <source>Small (4 layers × 128, ≈0.9 M params)</source>
        <translation>Klein (4 Schichten × 128, ≈0,9 Mio. Parameter)</translation>
    </message>
    <message>
        <source>Sample-size (4 layers × 256, ≈3.3 M params)</source>
        <translation>Wie das Beispielmodell (4 Schichten × 256, ≈3,3 Mio. Parameter)</translation>
    </message>
    <message>
        <source>Custom</source>
        <translation>Benutzerdefiniert</translation>
    </message>
    <message>
        <source>Transformer blocks</source>
        <translation>Transformer-Blöcke</translation>
    </message>
    <message>
        <source>Embedding width</source>
        <translation>Einbettungsbreite</translation>
    </message>
    <message>
        <source>Attention heads; they must divide the embedding width</source>
        <translation>Attention-Köpfe; ihre Anzahl muss die Einbettungsbreite teilen</translation>
    </message>
    <message>
        <source>Key/value heads (grouped-query attention, Llama only); they must divide the heads</source>
        <translation>Key/Value-Köpfe (Grouped-Query-Attention, nur Llama); ihre Anzahl muss die Zahl der Köpfe teilen</translation>
    </message>
    <message>
        <source>= heads</source>
        <translation>= Köpfe</translation>
    </message>
    <message>
        <source>Feed-forward width; auto: 3 × embedding (Llama), 4 × (GPT-2)</source>
        <translation>Feed-Forward-Breite; auto: 3 × Einbettung (Llama), 4 × (GPT-2)</translation>
    </message>
    <message>
        <source>Context length = training window in tokens</source>
        <translation>Kontextlänge = Trainingsfenster in Tokens</translation>
    </message>
    <message>
        <source>Characters</source>
        <translation>Zeichen</translation>
    </message>
    <message>
        <source>BPE</source>
        <translation>BPE</translation>
    </message>
    <message>
        <source>Vocabulary learnt from the corpus: one token per character, or byte-pair merges</source>
        <translation>Aus dem Korpus gelerntes Vokabular: ein Token pro Zeichen oder Byte-Pair-Merges</translation>
    </message>
    <message>
        <source>BPE vocabulary size, including the 259 special and byte tokens</source>
        <translation>BPE-Vokabulargröße, einschließlich der 259 Sonder- und Byte-Tokens</translation>
    </message>
    <message>
        <source>Architecture:</source>
        <translation>Architektur:</translation>
    </message>
    <message>
        <source>Size:</source>
        <translation>Größe:</translation>
    </message>
    <message>
        <source>Layers:</source>
        <translation>Schichten:</translation>
    </message>
    <message>
        <source>Embedding:</source>
        <translation>Einbettung:</translation>
    </message>
    <message>
        <source>Heads:</source>
        <translation>Köpfe:</translation>
    </message>
    <message>
        <source>KV heads:</source>
        <translation>KV-Köpfe:</translation>
    </message>
    <message>
        <source>FFN width:</source>
        <translation>FFN-Breite:</translation>
    </message>
    <message>
        <source>Context:</source>
        <translation>Kontext:</translation>
    </message>
    <message>
        <source>Tokenizer:</source>
        <translation>Tokenizer:</translation>
    </message>
    <message>
        <source>Vocabulary:</source>
        <translation>Vokabular:</translation>
    </message>
    <message>
        <source>Training</source>
        <translation>Training</translation>
    </message>
    <message>
        <source>Optimizer steps</source>
        <translation>Optimierungsschritte</translation>
    </message>
    <message>
        <source>Windows per step; tokens per step = batch × context</source>
        <translation>Fenster pro Schritt; Tokens pro Schritt = Batch × Kontext</translation>
    </message>
    <message>
        <source>Peak learning rate (AdamW, warm-up then cosine decay to a tenth of it)</source>
        <translation>Maximale Lernrate (AdamW, Warm-up, dann Kosinus-Abfall auf ein Zehntel davon)</translation>
    </message>
    <message>
        <source>Seed of the initialisation and the batches</source>
        <translation>Seed für die Initialisierung und die Batches</translation>
    </message>
    <message>
        <source>Validate on the held-out last tenth of the text every N steps</source>
        <translation>Alle N Schritte auf dem zurückgehaltenen letzten Zehntel des Textes validieren</translation>
    </message>
    <message>
        <source>only at the end</source>
        <translation>nur am Ende</translation>
    </message>
    <message>
        <source>Steps:</source>
        <translation>Schritte:</translation>
    </message>
    <message>
        <source>Batch:</source>
        <translation>Batch:</translation>
    </message>
    <message>
        <source>Learning rate:</source>
        <translation>Lernrate:</translation>
    </message>
    <message>
        <source>Seed:</source>
        <translation>Seed:</translation>
    </message>
    <message>
        <source>Validate every:</source>
        <translation>Validieren alle:</translation>
    </message>
    <message>
        <source>Training Text</source>
        <translation>Trainingstext</translation>
    </message>
    <message>
        <source>Text files (*.txt *.md);;All files (*)</source>
        <translation>Textdateien (*.txt *.md);;Alle Dateien (*)</translation>
    </message>
    <message>
        <source>Output Folder</source>
        <translation>Ausgabeordner</translation>
    </message>
    <message>
        <source>not found</source>
        <translation>nicht gefunden</translation>
    </message>
    <message>
        <source>%1 (%2 bytes)</source>
        <translation>%1 (%2 Bytes)</translation>
    </message>
    <message>
        <source>auto (4×)</source>
        <translation>auto (4×)</translation>
    </message>
    <message>
        <source>auto (3×)</source>
        <translation>auto (3×)</translation>
    </message>
    <message>
        <source>%1 parameters (vocabulary of at most %2 tokens)</source>
        <translation>%1 Parameter (Vokabular mit höchstens %2 Tokens)</translation>
    </message>
    <message>
        <source>%1 parameters (vocabulary %2: %3 special and byte tokens + %4 characters)</source>
        <translation>%1 Parameter (Vokabular %2: %3 Sonder- und Byte-Tokens + %4 Zeichen)</translation>
    </message>
    <message>
        <source>%1 parameters + %2 per distinct character of the corpus</source>
        <translation>%1 Parameter + %2 pro verschiedenem Zeichen des Korpus</translation>
    </message>
    <message>
        <source>%1 already holds a trained model. Replace it with the new one?</source>
        <translation>%1 enthält bereits ein trainiertes Modell. Durch das neue ersetzen?</translation>
    </message>
    <message>
        <source>Preparing: reading the text, building the tokenizer, writing the first checkpoint…</source>
        <translation>Vorbereitung: Text lesen, Tokenizer erstellen, ersten Checkpoint schreiben…</translation>
    </message>
    <message>
        <source>Training: step %1 of %2, loss %3</source>
        <translation>Training: Schritt %1 von %2, Verlust %3</translation>
    </message>
    <message>
        <source>Training micro model</source>
        <translation>Trainiere Mikromodell</translation>
    </message>
    <message>
        <source>Stopping after this step and writing a checkpoint…</source>
        <translation>Halte nach diesem Schritt an und schreibe einen Checkpoint…</translation>
    </message>
    <message>
        <source>Step %1 of %2 · final evaluation and checkpoint…</source>
        <translation>Schritt %1 von %2 · abschließende Auswertung und Checkpoint…</translation>
    </message>
    <message>
        <source>Step %1 of %2 · loss %3 · %4 tok/s · ETA %5</source>
        <translation>Schritt %1 von %2 · Verlust %3 · %4 Tokens/s · noch %5</translation>
    </message>
    <message>
        <source>Training stopped with an error.</source>
        <translation>Das Training wurde mit einem Fehler beendet.</translation>
    </message>
    <message>
        <source>Cancelled at step %1 of %2; the checkpoint is in %3.</source>
        <translation>Bei Schritt %1 von %2 abgebrochen; der Checkpoint liegt in %3.</translation>
    </message>
    <message>
        <source>Cancelled before the first step.</source>
        <translation>Vor dem ersten Schritt abgebrochen.</translation>
    </message>
    <message>
        <source>none (no validation split)</source>
        <translation>keiner (kein Validierungsanteil)</translation>
    </message>
    <message>
        <source>Finished %1 steps in %2: final loss %3 training, %4 validation (nats/token).</source>
        <translation>%1 Schritte in %2 abgeschlossen: Endverlust Training %3, Validierung %4 (nats/Token).</translation>
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
    <name>precis::views::BenchmarkChart</name>
    <message>
        <source>Median of the repetitions; whiskers: fastest and slowest. Dashed over a decode bar: its ceiling, memory bandwidth ÷ bytes read per token.</source>
        <translation>Median der Wiederholungen; Antennen: schnellste und langsamste. Gestrichelt über einem Decode-Balken: seine Obergrenze, Speicherbandbreite ÷ pro Token gelesene Bytes.</translation>
    </message>
    <message>
        <source>Prefill (tok/s)</source>
        <translation>Prefill (Tok./s)</translation>
    </message>
    <message>
        <source>Decode (tok/s), - - ceiling</source>
        <translation>Decode (Tok./s), - - Obergrenze</translation>
    </message>
    <message>
        <source>Peak memory (MiB)</source>
        <translation>Spitzenspeicher (MiB)</translation>
    </message>
    <message>
        <source>File size (MiB)</source>
        <translation>Dateigröße (MiB)</translation>
    </message>
</context>
<context>
    <name>precis::views::BenchmarkView</name>
    <message>
        <source>not saved</source>
        <translation>nicht gespeichert</translation>
    </message>
    <message>
        <source>Where the models run: this CPU, or a CUDA GPU when Precis was built with CUDA.</source>
        <translation>Wo die Modelle laufen: diese CPU oder eine CUDA-GPU, wenn Precis mit CUDA gebaut wurde.</translation>
    </message>
    <message>
        <source>CPU threads for the runs (the memory bandwidth is measured with the same threads).</source>
        <translation>CPU-Threads für die Läufe (die Speicherbandbreite wird mit denselben Threads gemessen).</translation>
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
        <translation>Elementtyp des Key/Value-Caches.</translation>
    </message>
    <message>
        <source>Prompt length of the prefill (time to first token).</source>
        <translation>Prompt-Länge des Prefills (Zeit bis zum ersten Token).</translation>
    </message>
    <message>
        <source>Tokens generated one by one after the prompt (decode speed).</source>
        <translation>Nach dem Prompt einzeln erzeugte Tokens (Decode-Geschwindigkeit).</translation>
    </message>
    <message>
        <source>Timed repetitions after one warm-up; figures are median [min–max].</source>
        <translation>Gemessene Wiederholungen nach einem Aufwärmlauf; Werte sind Median [Min–Max].</translation>
    </message>
    <message>
        <source>Threads</source>
        <translation>Threads</translation>
    </message>
    <message>
        <source>KV</source>
        <translation>KV</translation>
    </message>
    <message>
        <source>Prompt</source>
        <translation>Prompt</translation>
    </message>
    <message>
        <source>Generate</source>
        <translation>Erzeugen</translation>
    </message>
    <message>
        <source>Repetitions</source>
        <translation>Wiederholungen</translation>
    </message>
    <message>
        <source>Device</source>
        <translation>Gerät</translation>
    </message>
    <message>
        <source>Tokens</source>
        <translation>Tokens</translation>
    </message>
    <message>
        <source>Checked models are benchmarked one after the other with the same settings.</source>
        <translation>Die markierten Modelle werden nacheinander mit denselben Einstellungen gemessen.</translation>
    </message>
    <message>
        <source>Add GGUF File…</source>
        <translation>GGUF-Datei hinzufügen…</translation>
    </message>
    <message>
        <source>Run Benchmark</source>
        <translation>Benchmark starten</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Abbrechen</translation>
    </message>
    <message>
        <source>Models</source>
        <translation>Modelle</translation>
    </message>
    <message>
        <source>When</source>
        <translation>Wann</translation>
    </message>
    <message>
        <source>Model</source>
        <translation>Modell</translation>
    </message>
    <message>
        <source>Prompt / gen</source>
        <translation>Prompt / erz.</translation>
    </message>
    <message>
        <source>Prefill tok/s</source>
        <translation>Prefill Tok./s</translation>
    </message>
    <message>
        <source>TTFT ms</source>
        <translation>TTFT ms</translation>
    </message>
    <message>
        <source>Decode tok/s</source>
        <translation>Decode Tok./s</translation>
    </message>
    <message>
        <source>Of ceiling</source>
        <translation>Der Obergrenze</translation>
    </message>
    <message>
        <source>Peak memory</source>
        <translation>Spitzenspeicher</translation>
    </message>
    <message>
        <source>File</source>
        <translation>Datei</translation>
    </message>
    <message>
        <source>Every benchmark of the session, newest first. Select rows to chart them.</source>
        <translation>Jeder Benchmark der Sitzung, neueste zuerst. Zeilen auswählen, um sie im Diagramm zu zeigen.</translation>
    </message>
    <message numerus="yes">
        <source>CPU (%n logical cores)</source>
        <translation>
            <numerusform>CPU (%n logischer Kern)</numerusform>
            <numerusform>CPU (%n logische Kerne)</numerusform>
        </translation>
    </message>
    <message>
        <source>CUDA %1: %2</source>
        <translation>CUDA %1: %2</translation>
    </message>
    <message>
        <source>No GPU: %1</source>
        <translation>Keine GPU: %1</translation>
    </message>
    <message>
        <source>Ceiling %1 tok/s = %2 GB/s ÷ %3 MB read per token</source>
        <translation>Obergrenze %1 Tok./s = %2 GB/s ÷ %3 MB pro Token gelesen</translation>
    </message>
</context>
<context>
    <name>precis::views::BudgetUnitModel</name>
    <message>
        <source>%1 M</source>
        <translation>%1 Mio.</translation>
    </message>
    <message>
        <source>%1 G</source>
        <translation>%1 Mrd.</translation>
    </message>
    <message>
        <source>%1 · %2 · Δloss %3</source>
        <translation>%1 · %2 · Δloss %3</translation>
    </message>
    <message>
        <source>%1 weights</source>
        <translation>%1 Gewichte</translation>
    </message>
    <message>
        <source>Pinned to %1 by you; uncheck “pinned” or use Unpin to free it</source>
        <translation>Von Ihnen auf %1 fixiert; „fixiert“ abwählen oder Freigeben verwenden, um die Einheit freizugeben</translation>
    </message>
    <message>
        <source>Chosen by the solver; pick another option to pin the unit</source>
        <translation>Vom Solver gewählt; wählen Sie eine andere Option, um die Einheit zu fixieren</translation>
    </message>
    <message>
        <source>%1 bytes</source>
        <translation>%1 Bytes</translation>
    </message>
    <message>
        <source>predicted Δloss %1 nats/token</source>
        <translation>vorhergesagter Δloss %1 nats/Token</translation>
    </message>
    <message>
        <source>Pinned units keep their option whatever the budget</source>
        <translation>Fixierte Einheiten behalten ihre Option, unabhängig vom Budget</translation>
    </message>
    <message>
        <source>unit</source>
        <translation>Einheit</translation>
    </message>
    <message>
        <source>layer</source>
        <translation>Schicht</translation>
    </message>
    <message>
        <source>kind</source>
        <translation>Art</translation>
    </message>
    <message>
        <source>weights</source>
        <translation>Gewichte</translation>
    </message>
    <message>
        <source>option</source>
        <translation>Option</translation>
    </message>
    <message>
        <source>bytes</source>
        <translation>Bytes</translation>
    </message>
    <message>
        <source>Δloss</source>
        <translation>Δloss</translation>
    </message>
    <message>
        <source>pinned</source>
        <translation>fixiert</translation>
    </message>
    <message>
        <source>Predicted damage of the chosen option (Δloss, nats/token)</source>
        <translation>Vorhergesagter Schaden der gewählten Option (Δloss, nats/Token)</translation>
    </message>
    <message>
        <source>%1 (Precis)</source>
        <translation>%1 (Precis)</translation>
    </message>
</context>
<context>
    <name>precis::views::BudgetView</name>
    <message>
        <source>max Δppl %</source>
        <translation>max. Δppl %</translation>
    </message>
    <message>
        <source>size MB</source>
        <translation>Größe MB</translation>
    </message>
    <message>
        <source>bits/weight</source>
        <translation>Bit/Gewicht</translation>
    </message>
    <message>
        <source>Budget as the largest predicted perplexity increase, or as a target size</source>
        <translation>Budget als größter vorhergesagter Anstieg der Perplexität oder als Zielgröße</translation>
    </message>
    <message>
        <source>Drag, or use the arrow and Page keys: the allocation is re-solved on every step</source>
        <translation>Ziehen oder die Pfeil- und Bildtasten verwenden: Die Zuteilung wird bei jedem Schritt neu berechnet</translation>
    </message>
    <message>
        <source>Save allocation…</source>
        <translation>Zuteilung speichern…</translation>
    </message>
    <message>
        <source>Keep this allocation in the session</source>
        <translation>Diese Zuteilung in der Sitzung speichern</translation>
    </message>
    <message>
        <source>Log scale</source>
        <translation>Logarithmische Skala</translation>
    </message>
    <message>
        <source>Predicted perplexity increase on a logarithmic axis (zero is drawn at the bottom)</source>
        <translation>Vorhergesagter Anstieg der Perplexität auf logarithmischer Achse (null wird ganz unten gezeichnet)</translation>
    </message>
    <message>
        <source>bits per weight</source>
        <translation>Bit pro Gewicht</translation>
    </message>
    <message>
        <source>size</source>
        <translation>Größe</translation>
    </message>
    <message>
        <source>Height of a layer&apos;s bar: its bits per weight, or its size</source>
        <translation>Höhe des Balkens einer Schicht: ihre Bit pro Gewicht oder ihre Größe</translation>
    </message>
    <message>
        <source>Undo</source>
        <translation>Rückgängig</translation>
    </message>
    <message>
        <source>Redo</source>
        <translation>Wiederholen</translation>
    </message>
    <message>
        <source>Unpin</source>
        <translation>Freigeben</translation>
    </message>
    <message>
        <source>Let the solver choose the selected units&apos; options again</source>
        <translation>Die Optionen der ausgewählten Einheiten wieder vom Solver wählen lassen</translation>
    </message>
    <message>
        <source>Unpin all</source>
        <translation>Alle freigeben</translation>
    </message>
    <message>
        <source>Budget:</source>
        <translation>Budget:</translation>
    </message>
    <message>
        <source>Pareto frontier</source>
        <translation>Pareto-Front</translation>
    </message>
    <message>
        <source>Per layer</source>
        <translation>Pro Schicht</translation>
    </message>
    <message>
        <source>Units (pick an option to pin it)</source>
        <translation>Einheiten (eine Option wählen, um sie zu fixieren)</translation>
    </message>
    <message>
        <source>No allocation yet: run Analyze ▸ Calibrate to get the sensitivity of every tensor, then set an accuracy budget here.</source>
        <translation>Noch keine Zuteilung: Führen Sie Analyse ▸ Kalibrieren aus, um die Empfindlichkeit jedes Tensors zu erhalten, und legen Sie dann hier ein Genauigkeitsbudget fest.</translation>
    </message>
    <message>
        <source>Largest predicted perplexity increase; damage budget ln(1 + p/100) nats/token</source>
        <translation>Größter vorhergesagter Anstieg der Perplexität; Schadensbudget ln(1 + p/100) nats/Token</translation>
    </message>
    <message>
        <source>Largest size (MB = 10⁶ bytes, norms and biases included)</source>
        <translation>Maximale Größe (MB = 10⁶ Bytes, einschließlich Normen und Biases)</translation>
    </message>
    <message>
        <source> bits/weight</source>
        <translation> Bit/Gewicht</translation>
    </message>
    <message>
        <source>Largest average bits per weight over all weights (norms and biases included)</source>
        <translation>Höchste durchschnittliche Bit pro Gewicht über alle Gewichte (einschließlich Normen und Biases)</translation>
    </message>
    <message>
        <source>Below what any allocation reaches: showing the nearest one. %1</source>
        <translation>Unterhalb dessen, was eine Zuteilung erreichen kann: Die nächstliegende wird gezeigt. %1</translation>
    </message>
    <message>
        <source> · %1× smaller than the file</source>
        <translation> · %1× kleiner als die Datei</translation>
    </message>
    <message>
        <source>Re-solving with the new pins…</source>
        <translation>Berechne mit den neuen Fixierungen neu…</translation>
    </message>
    <message>
        <source>ppl +%1 %</source>
        <translation>ppl +%1 %</translation>
    </message>
    <message>
        <source>%1 MB</source>
        <translation>%1 MB</translation>
    </message>
    <message>
        <source>%1 bits/weight</source>
        <translation>%1 Bit/Gewicht</translation>
    </message>
    <message>
        <source>Save allocation</source>
        <translation>Zuteilung speichern</translation>
    </message>
    <message>
        <source>Name of the allocation in this session:</source>
        <translation>Name der Zuteilung in dieser Sitzung:</translation>
    </message>
    <message>
        <source>Calibrate to Measurements</source>
        <translation>An Messungen kalibrieren</translation>
    </message>
    <message>
        <source>Rescale every predicted damage by measured ÷ predicted of the session&apos;s measured compressions (Compress tab), then re-solve this budget</source>
        <translation>Jeden vorhergesagten Schaden mit gemessen ÷ vorhergesagt der gemessenen Komprimierungen dieser Sitzung (Reiter Komprimieren) skalieren und dieses Budget neu berechnen</translation>
    </message>
    <message>
        <source>Reset</source>
        <translation>Zurücksetzen</translation>
    </message>
    <message>
        <source>Back to the uncalibrated predictor (factor 1)</source>
        <translation>Zurück zur unkalibrierten Vorhersage (Faktor 1)</translation>
    </message>
    <message>
        <source>Predictor: uncalibrated</source>
        <translation>Vorhersage: unkalibriert</translation>
    </message>
    <message>
        <source>Predictor × %1</source>
        <translation>Vorhersage × %1</translation>
    </message>
    <message>
        <source>per tensor</source>
        <translation>pro Tensor</translation>
    </message>
    <message>
        <source>per head</source>
        <translation>pro Kopf</translation>
    </message>
    <message>
        <source>per layer</source>
        <translation>pro Schicht</translation>
    </message>
    <message>
        <source>What gets one choice: a tensor, an attention head&apos;s slices of q/k/v/o, or a whole layer</source>
        <translation>Was jeweils eine Wahl erhält: ein Tensor, die q/k/v/o-Ausschnitte eines Attention-Kopfs oder eine ganze Schicht</translation>
    </message>
    <message>
        <source>output-weighted error</source>
        <translation>ausgabegewichteter Fehler</translation>
    </message>
    <message>
        <source>Fisher</source>
        <translation>Fisher</translation>
    </message>
    <message>
        <source>How each option&apos;s damage is predicted from the calibration run</source>
        <translation>Wie der Schaden jeder Option aus dem Kalibrierungslauf vorhergesagt wird</translation>
    </message>
    <message>
        <source>Precis RTN types</source>
        <translation>Precis-RTN-Typen</translation>
    </message>
    <message>
        <source>Also offer Precis&apos; own RTN format (2–8 bits, groups of 32–128). No GGUF type holds it: a GGUF export re-encodes those tensors to GGUF types.</source>
        <translation>Auch das eigene RTN-Format von Precis anbieten (2–8 Bit, Gruppen von 32–128). Kein GGUF-Typ kann es aufnehmen: Ein GGUF-Export kodiert diese Tensoren in GGUF-Typen um.</translation>
    </message>
    <message>
        <source>Units:</source>
        <translation>Einheiten:</translation>
    </message>
    <message>
        <source>Damage:</source>
        <translation>Schaden:</translation>
    </message>
    <message>
        <source>&lt;b&gt;%1&lt;/b&gt; · &lt;b&gt;%2&lt;/b&gt; bits/weight · predicted Δppl &lt;b&gt;+%3 %&lt;/b&gt;</source>
        <translation>&lt;b&gt;%1&lt;/b&gt; · &lt;b&gt;%2&lt;/b&gt; Bit/Gewicht · vorhergesagte Δppl &lt;b&gt;+%3 %&lt;/b&gt;</translation>
    </message>
    <message>
        <source> · predicted KL %1 nats/token</source>
        <translation> · vorhergesagte KL %1 nats/Token</translation>
    </message>
    <message numerus="yes">
        <source>%n unit(s) use Precis&apos; RTN format: kept as such in memory; a GGUF export re-encodes them to GGUF types.</source>
        <translation>
            <numerusform>%n Einheit verwendet das RTN-Format von Precis: Im Speicher bleibt sie so erhalten; ein GGUF-Export kodiert sie in GGUF-Typen um.</numerusform>
            <numerusform>%n Einheiten verwenden das RTN-Format von Precis: Im Speicher bleiben sie so erhalten; ein GGUF-Export kodiert sie in GGUF-Typen um.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>precis::views::CompressResultPlot</name>
    <message>
        <source>predicted frontier (Budget tab)</source>
        <translation>vorhergesagte Front (Reiter Budget)</translation>
    </message>
    <message>
        <source>predicted</source>
        <translation>vorhergesagt</translation>
    </message>
    <message>
        <source>perplexity increase (%)</source>
        <translation>Anstieg der Perplexität (%)</translation>
    </message>
    <message>
        <source>size (MB)</source>
        <translation>Größe (MB)</translation>
    </message>
    <message>
        <source>bits per weight</source>
        <translation>Bit pro Gewicht</translation>
    </message>
    <message>
        <source>measured, %1</source>
        <translation>gemessen, %1</translation>
    </message>
</context>
<context>
    <name>precis::views::CompressView</name>
    <message>
        <source>No allocation yet: calibrate, then choose a budget in the Budget tab.</source>
        <translation>Noch keine Zuteilung: Kalibrieren Sie, und wählen Sie dann im Reiter Budget ein Budget.</translation>
    </message>
    <message>
        <source>Plan</source>
        <translation>Plan</translation>
    </message>
    <message>
        <source>Current budget allocation</source>
        <translation>Aktuelle Budget-Zuteilung</translation>
    </message>
    <message>
        <source>One scheme everywhere:</source>
        <translation>Überall ein Schema:</translation>
    </message>
    <message>
        <source>A GGUF block format, F16/BF16, or RTN&lt;bits&gt;g&lt;group&gt; (e.g. RTN4g128); rows a format cannot store fall back as llama.cpp does</source>
        <translation>Ein GGUF-Blockformat, F16/BF16 oder RTN&lt;bits&gt;g&lt;group&gt; (z. B. RTN4g128); Zeilen, die ein Format nicht speichern kann, erhalten wie bei llama.cpp ein Ersatzformat</translation>
    </message>
    <message>
        <source>Method</source>
        <translation>Methode</translation>
    </message>
    <message>
        <source>RTN (round to nearest)</source>
        <translation>RTN (Runden auf den nächsten Wert)</translation>
    </message>
    <message>
        <source>GPTQ (error compensation)</source>
        <translation>GPTQ (Fehlerkompensation)</translation>
    </message>
    <message>
        <source>AWQ (activation-aware scaling)</source>
        <translation>AWQ (aktivierungsbewusste Skalierung)</translation>
    </message>
    <message>
        <source>Each scheme&apos;s own encoder; in a session, weighted by its latest calibration&apos;s column importance (no text needed).</source>
        <translation>Der eigene Encoder jedes Schemas; in einer Sitzung gewichtet mit der Spaltenwichtigkeit ihrer letzten Kalibrierung (kein Text nötig).</translation>
    </message>
    <message>
        <source>λ = damping × mean diagonal of XᵀX, added to the diagonal</source>
        <translation>λ = Dämpfung × Mittelwert der Diagonale von XᵀX, zur Diagonale addiert</translation>
    </message>
    <message>
        <source>Act order</source>
        <translation>Aktivierungsreihenfolge</translation>
    </message>
    <message>
        <source>Quantize the blocks of columns with the largest input energy first</source>
        <translation>Die Spaltenblöcke mit der größten Eingangsenergie zuerst quantisieren</translation>
    </message>
    <message>
        <source>Damping:</source>
        <translation>Dämpfung:</translation>
    </message>
    <message>
        <source>Scale exponents α searched: 0, 1/grid, …, 1</source>
        <translation>Durchsuchte Skalierungsexponenten α: 0, 1/Raster, …, 1</translation>
    </message>
    <message>
        <source>α grid:</source>
        <translation>α-Raster:</translation>
    </message>
    <message>
        <source>Calibration text</source>
        <translation>Kalibrierungstext</translation>
    </message>
    <message>
        <source>UTF-8 text file</source>
        <translation>UTF-8-Textdatei</translation>
    </message>
    <message>
        <source>Calibration Text</source>
        <translation>Kalibrierungstext</translation>
    </message>
    <message>
        <source>N: windows cut from the text at seeded offsets</source>
        <translation>N: Fenster, die an Positionen mit festem Seed aus dem Text geschnitten werden</translation>
    </message>
    <message>
        <source>T: tokens per window (below the model&apos;s context)</source>
        <translation>T: Tokens pro Fenster (unterhalb des Kontexts des Modells)</translation>
    </message>
    <message>
        <source>File:</source>
        <translation>Datei:</translation>
    </message>
    <message>
        <source>Sequences:</source>
        <translation>Sequenzen:</translation>
    </message>
    <message>
        <source>Tokens each:</source>
        <translation>Tokens je Sequenz:</translation>
    </message>
    <message>
        <source>Seed:</source>
        <translation>Seed:</translation>
    </message>
    <message>
        <source>Evaluation</source>
        <translation>Auswertung</translation>
    </message>
    <message>
        <source>Evaluation Text</source>
        <translation>Auswertungstext</translation>
    </message>
    <message>
        <source>Tokens per chunk; the second half of each chunk is scored (as llama.cpp&apos;s perplexity)</source>
        <translation>Tokens pro Abschnitt; die zweite Hälfte jedes Abschnitts wird bewertet (wie bei der Perplexität von llama.cpp)</translation>
    </message>
    <message>
        <source>all</source>
        <translation>alle</translation>
    </message>
    <message>
        <source>Score at most this many chunks of the text</source>
        <translation>Höchstens so viele Abschnitte des Textes bewerten</translation>
    </message>
    <message>
        <source>Context:</source>
        <translation>Kontext:</translation>
    </message>
    <message>
        <source>Chunks:</source>
        <translation>Abschnitte:</translation>
    </message>
    <message>
        <source>Compress &amp;&amp; Measure</source>
        <translation>Komprimieren &amp;&amp; messen</translation>
    </message>
    <message>
        <source>Compress the model by the plan, then measure it against the original on the evaluation text</source>
        <translation>Das Modell nach dem Plan komprimieren und dann auf dem Auswertungstext gegen das Original messen</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Abbrechen</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>Name</translation>
    </message>
    <message>
        <source>Size
(MiB)</source>
        <translation>Größe
(MiB)</translation>
    </message>
    <message>
        <source>Bits/
weight</source>
        <translation>Bit/
Gewicht</translation>
    </message>
    <message>
        <source>PPL
original</source>
        <translation>PPL
Original</translation>
    </message>
    <message>
        <source>PPL
compressed</source>
        <translation>PPL
komprimiert</translation>
    </message>
    <message>
        <source>PPL
ratio</source>
        <translation>PPL
Verhältnis</translation>
    </message>
    <message>
        <source>Measured
Δppl %</source>
        <translation>Gemessene
Δppl %</translation>
    </message>
    <message>
        <source>Predicted
Δppl %</source>
        <translation>Vorhergesagte
Δppl %</translation>
    </message>
    <message>
        <source>KL
mean</source>
        <translation>KL
Mittel</translation>
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
        <translation>KL(Original ‖ komprimiert) der Verteilungen für das nächste Token, in nats</translation>
    </message>
    <message>
        <source>Positions where both models rank the same token first</source>
        <translation>Positionen, an denen beide Modelle dasselbe Token an die erste Stelle setzen</translation>
    </message>
    <message>
        <source>From the sensitivity report: the allocation&apos;s predicted damage, or the uniform format&apos;s point</source>
        <translation>Aus dem Empfindlichkeitsbericht: der vorhergesagte Schaden der Zuteilung oder der Punkt des einheitlichen Formats</translation>
    </message>
    <message>
        <source>Export…</source>
        <translation>Exportieren…</translation>
    </message>
    <message>
        <source>Write the selected result as GGUF, a safetensors folder or a recipe</source>
        <translation>Das ausgewählte Ergebnis als GGUF, safetensors-Ordner oder Rezept schreiben</translation>
    </message>
    <message>
        <source>&lt;b&gt;Results of this session&lt;/b&gt;</source>
        <translation>&lt;b&gt;Ergebnisse dieser Sitzung&lt;/b&gt;</translation>
    </message>
    <message>
        <source>size (MB)</source>
        <translation>Größe (MB)</translation>
    </message>
    <message>
        <source>bits per weight</source>
        <translation>Bit pro Gewicht</translation>
    </message>
    <message>
        <source>Log scale</source>
        <translation>Logarithmische Skala</translation>
    </message>
    <message>
        <source>Perplexity increase on a logarithmic axis (zero and negative changes are drawn at the bottom)</source>
        <translation>Anstieg der Perplexität auf logarithmischer Achse (null und negative Änderungen werden ganz unten gezeichnet)</translation>
    </message>
    <message>
        <source>Size axis:</source>
        <translation>Größenachse:</translation>
    </message>
    <message>
        <source>Size vs Δppl</source>
        <translation>Größe vs. Δppl</translation>
    </message>
    <message>
        <source>Predicted vs measured</source>
        <translation>Vorhergesagt vs. gemessen</translation>
    </message>
    <message>
        <source>Generation</source>
        <translation>Generierung</translation>
    </message>
    <message>
        <source>Text (*.txt);;All files (*)</source>
        <translation>Text (*.txt);;Alle Dateien (*)</translation>
    </message>
    <message>
        <source>Tokens per chunk (at most the model&apos;s context, %1); the second half of each chunk is scored</source>
        <translation>Tokens pro Abschnitt (höchstens der Kontext des Modells, %1); die zweite Hälfte jedes Abschnitts wird bewertet</translation>
    </message>
    <message>
        <source>RTN needs no calibration</source>
        <translation>RTN benötigt keine Kalibrierung</translation>
    </message>
    <message>
        <source>Waiting for the job to start…</source>
        <translation>Warte auf den Start der Aufgabe…</translation>
    </message>
    <message>
        <source>From the session; the compressed model is no longer in memory (its recipe can be exported; run it again to export the model or generate)</source>
        <translation>Aus der Sitzung; das komprimierte Modell ist nicht mehr im Speicher (sein Rezept kann exportiert werden; führen Sie die Komprimierung erneut aus, um das Modell zu exportieren oder damit zu generieren)</translation>
    </message>
    <message>
        <source>KL mean %1, p99 %2, max %3 nats over %4 positions</source>
        <translation>KL Mittel %1, p99 %2, max. %3 nats über %4 Positionen</translation>
    </message>
    <message>
        <source>Measure each tensor</source>
        <translation>Jeden Tensor messen</translation>
    </message>
    <message>
        <source>After the whole model, measure every compressed tensor alone: the original model with only that tensor compressed, on %1 sequences of up to %2 tokens of the evaluation text. Costs one forward pass over those %1 sequences per compressed tensor. The result is compared with the Budget tab&apos;s predicted damage per tensor.</source>
        <translation>Nach dem ganzen Modell jeden komprimierten Tensor einzeln messen: das Originalmodell, in dem nur dieser Tensor komprimiert ist, auf %1 Sequenzen von bis zu %2 Tokens des Auswertungstextes. Kostet pro komprimiertem Tensor einen Vorwärtsdurchlauf über diese %1 Sequenzen. Das Ergebnis wird mit dem vorhergesagten Schaden je Tensor aus dem Reiter Budget verglichen.</translation>
    </message>
    <message>
        <source>Per tensor</source>
        <translation>Je Tensor</translation>
    </message>
    <message>
        <source>The selected result&apos;s tensors, each measured alone, against their predicted damage</source>
        <translation>Die Tensoren des ausgewählten Ergebnisses, jeder einzeln gemessen, gegen ihren vorhergesagten Schaden</translation>
    </message>
    <message>
        <source>Saved allocation:</source>
        <translation>Gespeicherte Zuteilung:</translation>
    </message>
    <message>
        <source>An allocation saved in this session (Budget ▸ Save allocation…), compressed exactly as it was saved</source>
        <translation>Eine in dieser Sitzung gespeicherte Zuteilung (Budget ▸ Zuteilung speichern…), genau so komprimiert, wie sie gespeichert wurde</translation>
    </message>
    <message>
        <source>not measured</source>
        <translation>nicht gemessen</translation>
    </message>
    <message>
        <source>Compressed without an evaluation text: measure it with precis-cli eval, or compress it again here</source>
        <translation>Ohne Auswertungstext komprimiert: Messen Sie es mit precis-cli eval, oder komprimieren Sie es hier erneut</translation>
    </message>
</context>
<context>
    <name>precis::views::FrontierPlot</name>
    <message>
        <source>frontier (optimal mixes)</source>
        <translation>Front (optimale Mischungen)</translation>
    </message>
    <message>
        <source>one format everywhere</source>
        <translation>überall ein Format</translation>
    </message>
    <message>
        <source>current allocation</source>
        <translation>aktuelle Zuteilung</translation>
    </message>
    <message>
        <source>predicted perplexity increase (%)</source>
        <translation>vorhergesagter Anstieg der Perplexität (%)</translation>
    </message>
    <message>
        <source>size (MB)</source>
        <translation>Größe (MB)</translation>
    </message>
    <message>
        <source>bits per weight</source>
        <translation>Bit pro Gewicht</translation>
    </message>
    <message>
        <source>current allocation (Precis-native types)</source>
        <translation>aktuelle Zuteilung (Precis-eigene Typen)</translation>
    </message>
</context>
<context>
    <name>precis::views::GenerationCompareView</name>
    <message>
        <source>Prompt, e.g. the first words of a line</source>
        <translation>Prompt, z. B. die ersten Wörter einer Zeile</translation>
    </message>
    <message>
        <source>New tokens each model writes (at most up to the model&apos;s context)</source>
        <translation>Neue Tokens, die jedes Modell schreibt (höchstens bis zum Kontext des Modells)</translation>
    </message>
    <message>
        <source>greedy</source>
        <translation>greedy</translation>
    </message>
    <message>
        <source>Sampling temperature; greedy picks the most likely token</source>
        <translation>Sampling-Temperatur; greedy wählt das wahrscheinlichste Token</translation>
    </message>
    <message>
        <source>Both models sample with this seed, so they only part where their probabilities do</source>
        <translation>Beide Modelle ziehen mit diesem Seed, daher gehen sie nur dort auseinander, wo ihre Wahrscheinlichkeiten es tun</translation>
    </message>
    <message>
        <source>Stop at end of text</source>
        <translation>Am Textende anhalten</translation>
    </message>
    <message>
        <source>The compressed model to compare with (results kept in memory)</source>
        <translation>Das komprimierte Modell für den Vergleich (im Speicher gehaltene Ergebnisse)</translation>
    </message>
    <message>
        <source>Generate</source>
        <translation>Generieren</translation>
    </message>
    <message>
        <source>Prompt:</source>
        <translation>Prompt:</translation>
    </message>
    <message>
        <source>Compare with:</source>
        <translation>Vergleichen mit:</translation>
    </message>
    <message>
        <source>Tokens:</source>
        <translation>Tokens:</translation>
    </message>
    <message>
        <source>Temperature:</source>
        <translation>Temperatur:</translation>
    </message>
    <message>
        <source>Seed:</source>
        <translation>Seed:</translation>
    </message>
    <message>
        <source>Original</source>
        <translation>Original</translation>
    </message>
    <message>
        <source>Compressed</source>
        <translation>Komprimiert</translation>
    </message>
    <message>
        <source>Run a compression first: its model is kept in memory for generation.</source>
        <translation>Führen Sie zuerst eine Komprimierung aus: Ihr Modell wird für die Generierung im Speicher gehalten.</translation>
    </message>
    <message>
        <source>Run a compression first</source>
        <translation>Führen Sie zuerst eine Komprimierung aus</translation>
    </message>
    <message>
        <source>Generating…</source>
        <translation>Generiere…</translation>
    </message>
</context>
<context>
    <name>precis::views::LayerBitsPlot</name>
    <message>
        <source>whole layer</source>
        <translation>ganze Schicht</translation>
    </message>
    <message>
        <source>layer</source>
        <translation>Schicht</translation>
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
        <translation>Größe (%1)</translation>
    </message>
    <message>
        <source>bits per weight</source>
        <translation>Bit pro Gewicht</translation>
    </message>
    <message>
        <source>bits/weight</source>
        <translation>Bit/Gewicht</translation>
    </message>
    <message>
        <source>layer %1</source>
        <translation>Schicht %1</translation>
    </message>
</context>
<context>
    <name>precis::views::LossCurveView</name>
    <message>
        <source>step</source>
        <translation>Schritt</translation>
    </message>
    <message>
        <source>loss (nats/token)</source>
        <translation>Verlust (nats/Token)</translation>
    </message>
    <message>
        <source>training (batch)</source>
        <translation>Training (Batch)</translation>
    </message>
    <message>
        <source>validation</source>
        <translation>Validierung</translation>
    </message>
    <message>
        <source>Log scale</source>
        <translation>Logarithmische Skala</translation>
    </message>
    <message>
        <source>Show the loss on a logarithmic axis</source>
        <translation>Den Verlust auf einer logarithmischen Achse zeigen</translation>
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
<context>
    <name>precis::views::PredictedMeasuredPlot</name>
    <message>
        <source>results with a prediction</source>
        <translation>Ergebnisse mit Vorhersage</translation>
    </message>
    <message>
        <source>predicted perplexity increase (%)</source>
        <translation>vorhergesagter Anstieg der Perplexität (%)</translation>
    </message>
    <message>
        <source>measured perplexity increase (%)</source>
        <translation>gemessener Anstieg der Perplexität (%)</translation>
    </message>
</context>
<context>
    <name>precis::views::SensitivityView</name>
    <message>
        <source>Output-weighted error (ow_err)</source>
        <translation>Ausgabegewichteter Fehler (ow_err)</translation>
    </message>
    <message>
        <source>Fisher (fisher)</source>
        <translation>Fisher (fisher)</translation>
    </message>
    <message>
        <source>Taylor saliency (taylor)</source>
        <translation>Taylor-Salienz (taylor)</translation>
    </message>
    <message>
        <source>Gradient magnitude (gradmag)</source>
        <translation>Gradientenbetrag (gradmag)</translation>
    </message>
    <message>
        <source>Head gate gradient (gate)</source>
        <translation>Kopf-Gate-Gradient (gate)</translation>
    </message>
    <message>
        <source>Head ablation (ablation)</source>
        <translation>Kopf-Ablation (ablation)</translation>
    </message>
    <message>
        <source>Measured Δloss (measured_dloss)</source>
        <translation>Gemessener Δloss (measured_dloss)</translation>
    </message>
    <message>
        <source>Measured KL (measured_kl)</source>
        <translation>Gemessene KL (measured_kl)</translation>
    </message>
    <message>
        <source>Sensitivity metric shown in the heatmaps</source>
        <translation>In den Heatmaps gezeigte Empfindlichkeitsmetrik</translation>
    </message>
    <message>
        <source>Quantization option whose damage is shown (per-option metrics)</source>
        <translation>Quantisierungsoption, deren Schaden gezeigt wird (optionsabhängige Metriken)</translation>
    </message>
    <message>
        <source>Log scale</source>
        <translation>Logarithmische Skala</translation>
    </message>
    <message>
        <source>Colour by the logarithm of the value; zero and negative values take the lowest colour</source>
        <translation>Nach dem Logarithmus des Werts einfärben; null und negative Werte erhalten die unterste Farbe</translation>
    </message>
    <message>
        <source>head</source>
        <translation>Kopf</translation>
    </message>
    <message>
        <source>layer</source>
        <translation>Schicht</translation>
    </message>
    <message>
        <source>tensor</source>
        <translation>Tensor</translation>
    </message>
    <message>
        <source>input columns / 8</source>
        <translation>Eingangsspalten / 8</translation>
    </message>
    <message>
        <source>output rows / 8</source>
        <translation>Ausgangszeilen / 8</translation>
    </message>
    <message>
        <source>Tensor whose 8×8 chunk map is shown; or click a cell of the layer × tensor map</source>
        <translation>Tensor, dessen 8×8-Blockkarte gezeigt wird; oder klicken Sie auf eine Zelle der Karte Schicht × Tensor</translation>
    </message>
    <message>
        <source>Metric of the chunk map</source>
        <translation>Metrik der Blockkarte</translation>
    </message>
    <message>
        <source>proxy</source>
        <translation>Proxy</translation>
    </message>
    <message>
        <source>measured</source>
        <translation>gemessen</translation>
    </message>
    <message>
        <source>units</source>
        <translation>Einheiten</translation>
    </message>
    <message>
        <source>Spearman ρ</source>
        <translation>Spearman ρ</translation>
    </message>
    <message>
        <source>kind</source>
        <translation>Art</translation>
    </message>
    <message>
        <source>How well each cheap proxy ranks the units like the measured damage (1 = same order)</source>
        <translation>Wie gut jeder günstige Proxy die Einheiten so ordnet wie der gemessene Schaden (1 = gleiche Reihenfolge)</translation>
    </message>
    <message>
        <source>Grey: no value (the option cannot encode the tensor, or it was not measured). Click a tensor cell for its chunk map; scroll to zoom, drag to pan, double-click to reset.</source>
        <translation>Grau: kein Wert (die Option kann den Tensor nicht kodieren, oder er wurde nicht gemessen). Klicken Sie auf eine Tensorzelle für ihre Blockkarte; Scrollen zoomt, Ziehen verschiebt, Doppelklick setzt zurück.</translation>
    </message>
    <message>
        <source>Chunks of:</source>
        <translation>Blöcke von:</translation>
    </message>
    <message>
        <source>Metric:</source>
        <translation>Metrik:</translation>
    </message>
    <message>
        <source>Option:</source>
        <translation>Option:</translation>
    </message>
    <message>
        <source>No sensitivity report yet: run Analyze ▸ Calibrate…</source>
        <translation>Noch kein Empfindlichkeitsbericht: Starten Sie Analyse ▸ Kalibrieren…</translation>
    </message>
    <message>
        <source>Complete: %1 calibration tokens, loss %2 nats/token.</source>
        <translation>Abgeschlossen: %1 Kalibrierungstokens, Verlust %2 nats/Token.</translation>
    </message>
    <message>
        <source>Running: %1 · %2 tokens so far, loss %3 nats/token…</source>
        <translation>Läuft: %1 · bisher %2 Tokens, Verlust %3 nats/Token…</translation>
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
        <translation>Köpfe · %1</translation>
    </message>
    <message>
        <source>Heads · none in this report</source>
        <translation>Köpfe · keine in diesem Bericht</translation>
    </message>
    <message>
        <source>Tensors · %1</source>
        <translation>Tensoren · %1</translation>
    </message>
    <message>
        <source>Click a tensor cell to see its 8×8 chunks</source>
        <translation>Klicken Sie auf eine Tensorzelle, um ihre 8×8-Blöcke zu sehen</translation>
    </message>
    <message>
        <source>%1 — no %2 chunk map</source>
        <translation>%1 — keine %2-Blockkarte</translation>
    </message>
    <message>
        <source>%1 — %2 × %3 chunks</source>
        <translation>%1 — %2 × %3 Blöcke</translation>
    </message>
    <message>
        <source>(Fisher at %1)</source>
        <translation>(Fisher bei %1)</translation>
    </message>
    <message>
        <source>predicted Δloss (nats/token)</source>
        <translation>vorhergesagter Δloss (nats/Token)</translation>
    </message>
    <message>
        <source>Σ |w · ∂L/∂w| (nats)</source>
        <translation>Σ |w · ∂L/∂w| (nats)</translation>
    </message>
    <message>
        <source>Σ |∂L/∂w| (nats per unit weight)</source>
        <translation>Σ |∂L/∂w| (nats pro Gewichtseinheit)</translation>
    </message>
    <message>
        <source>|∂L/∂ξ| (nats)</source>
        <translation>|∂L/∂ξ| (nats)</translation>
    </message>
    <message>
        <source>Δloss without the head (nats/token)</source>
        <translation>Δloss ohne den Kopf (nats/Token)</translation>
    </message>
    <message>
        <source>measured Δloss (nats/token)</source>
        <translation>gemessener Δloss (nats/Token)</translation>
    </message>
    <message>
        <source>measured KL (nats/token)</source>
        <translation>gemessene KL (nats/Token)</translation>
    </message>
    <message>
        <source>%1 · %2: %3 cannot encode this unit (row length)</source>
        <translation>%1 · %2: %3 kann diese Einheit nicht kodieren (Zeilenlänge)</translation>
    </message>
    <message>
        <source>%1 · %2: no value</source>
        <translation>%1 · %2: kein Wert</translation>
    </message>
    <message>
        <source>%1 · %2 = %3</source>
        <translation>%1 · %2 = %3</translation>
    </message>
    <message>
        <source>blk.%1 has no %2 tensor</source>
        <translation>blk.%1 hat keinen %2-Tensor</translation>
    </message>
    <message>
        <source>%1 chunk (%2, %3), weights from row %4, column %5 · %6 = %7</source>
        <translation>%1 Block (%2, %3), Gewichte ab Zeile %4, Spalte %5 · %6 = %7</translation>
    </message>
</context>
<context>
    <name>precis::views::SessionComparePlot</name>
    <message>
        <source>perplexity increase (%)</source>
        <translation>Anstieg der Perplexität (%)</translation>
    </message>
    <message>
        <source>size (MB)</source>
        <translation>Größe (MB)</translation>
    </message>
    <message>
        <source>bits per weight</source>
        <translation>Bit pro Gewicht</translation>
    </message>
    <message>
        <source>%1 &apos;%2&apos;: no predicted frontier</source>
        <translation>%1 „%2“: keine vorhergesagte Front</translation>
    </message>
    <message>
        <source>%1 &apos;%2&apos;: predicted frontier</source>
        <translation>%1 „%2“: vorhergesagte Front</translation>
    </message>
    <message>
        <source>%1 &apos;%2&apos;: measured</source>
        <translation>%1 „%2“: gemessen</translation>
    </message>
</context>
<context>
    <name>precis::views::UnitScatterPlot</name>
    <message>
        <source>attention q</source>
        <translation>Attention q</translation>
    </message>
    <message>
        <source>attention k</source>
        <translation>Attention k</translation>
    </message>
    <message>
        <source>attention v</source>
        <translation>Attention v</translation>
    </message>
    <message>
        <source>attention output</source>
        <translation>Attention-Ausgabe</translation>
    </message>
    <message>
        <source>attention qkv</source>
        <translation>Attention qkv</translation>
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
        <translation>Token-Einbettungen</translation>
    </message>
    <message>
        <source>output</source>
        <translation>Ausgabe</translation>
    </message>
    <message>
        <source>other</source>
        <translation>andere</translation>
    </message>
    <message>
        <source>predicted Δloss (nats/token)</source>
        <translation>vorhergesagter Δloss (nats/Token)</translation>
    </message>
    <message>
        <source>measured Δloss (nats/token)</source>
        <translation>gemessener Δloss (nats/Token)</translation>
    </message>
    <message>
        <source>Predicted vs measured Δloss per tensor</source>
        <translation>Vorhergesagter vs. gemessener Δloss je Tensor</translation>
    </message>
    <message>
        <source>Select a result to see its tensors.</source>
        <translation>Wählen Sie ein Ergebnis, um seine Tensoren zu sehen.</translation>
    </message>
    <message>
        <source>&apos;%1&apos; was not measured per tensor.
Tick “Measure each tensor” under Evaluation and run it again.</source>
        <translation>„%1“ wurde nicht je Tensor gemessen.
Aktivieren Sie „Jeden Tensor messen“ unter Auswertung und führen Sie es erneut aus.</translation>
    </message>
    <message numerus="yes">
        <source>%1: Spearman ρ = %2 over %n tensor(s)</source>
        <translation>
            <numerusform>%1: Spearman ρ = %2 über %n Tensor</numerusform>
            <numerusform>%1: Spearman ρ = %2 über %n Tensoren</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n not drawn (no prediction, or Δloss ≤ 0)</source>
        <translation>
            <numerusform>%n nicht gezeichnet (keine Vorhersage oder Δloss ≤ 0)</numerusform>
            <numerusform>%n nicht gezeichnet (keine Vorhersage oder Δloss ≤ 0)</numerusform>
        </translation>
    </message>
    <message>
        <source>No tensor has a positive predicted and measured Δloss to place on log axes.
Predictions come from the Budget tab&apos;s option table: calibrate with the schemes used.</source>
        <translation>Kein Tensor hat einen positiven vorhergesagten und gemessenen Δloss für logarithmische Achsen.
Vorhersagen stammen aus der Optionstabelle des Reiters Budget: Kalibrieren Sie mit den verwendeten Schemata.</translation>
    </message>
</context>
</TS>
