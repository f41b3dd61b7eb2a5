{#-
    Unicode-aware text rules staging and the Great Expectations suites share
    (src/catalog_ml/expectations.py mirrors them; tests/python/test_expectations.py and the
    files-mode fixture check that both agree).

    invisible characters  C0 and C1 controls other than whitespace, soft hyphen, zero-width
                          space, the bidi marks, embeddings, overrides and isolates
                          (U+200E/F, U+202A-E, U+2066-9, U+061C), word joiners and the BOM:
                          removed from every raw value (a right-to-left override can make
                          'gpj.exe' display as 'exe.jpg'). U+200C/D (joiners that Persian,
                          Indic scripts and emoji need) are kept.
    whitespace            tab, line breaks, no-break and typographic spaces: every run
                          becomes one space, so a tab-only or newline-only value is empty.
-#}

{#- [first, last] code point ranges of the invisible characters (see above). -#}
{% macro invisible_code_points() %}
    {{ return([[0, 8], [14, 31], [127, 132], [134, 159], [173, 173], [1564, 1564], [8203, 8203],
        [8206, 8207], [8234, 8238], [8288, 8292], [8294, 8297], [65279, 65279]]) }}
{% endmacro %}

{#- [first, last] code point ranges of whitespace (see above). -#}
{% macro whitespace_code_points() %}
    {{ return([[9, 13], [32, 32], [133, 133], [160, 160], [5760, 5760], [8192, 8202], [8232, 8233],
        [8239, 8239], [8287, 8287], [12288, 12288]]) }}
{% endmacro %}

{#- Trimmed text without invisible characters, whitespace runs as one space, null when
    empty: how every raw value is read. -#}
{% macro clean_text(expression) %}
    {{ return(adapter.dispatch('clean_text', 'catalog_ml')(expression)) }}
{% endmacro %}

{#- DuckDB (RE2): two passes over character classes written as code point ranges. -#}
{% macro default__clean_text(expression) -%}
    {%- set invisible = [] -%}
    {%- for span in invisible_code_points() -%}
        {%- do invisible.append('\\x{%x}-\\x{%x}' | format(span[0], span[1])) -%}
    {%- endfor -%}
    {%- set spaces = [] -%}
    {%- for span in whitespace_code_points() -%}
        {%- do spaces.append('\\x{%x}-\\x{%x}' | format(span[0], span[1])) -%}
    {%- endfor -%}
    nullif(trim(regexp_replace(regexp_replace({{ expression }}, '[{{ invisible | join('') }}]+', '', 'g'),
        '[{{ spaces | join('') }}]+', ' ', 'g')), '')
{%- endmacro %}

{#- Snowflake: TRANSLATE deletes the invisible characters (no counterpart in the target) and
    turns other whitespace into spaces; a regular expression then folds runs of spaces. -#}
{% macro snowflake__clean_text(expression) -%}
    {%- set whitespace = [] -%}
    {%- for span in whitespace_code_points() -%}
        {%- for code in range(span[0], span[1] + 1) if code != 32 -%}
            {%- do whitespace.append('chr(' ~ code ~ ')') -%}
        {%- endfor -%}
    {%- endfor -%}
    {%- set invisible = [] -%}
    {%- for span in invisible_code_points() -%}
        {%- for code in range(span[0], span[1] + 1) if code != 0 -%}
            {%- do invisible.append('chr(' ~ code ~ ')') -%}
        {%- endfor -%}
    {%- endfor -%}
    nullif(trim(regexp_replace(translate({{ expression }}, {{ (whitespace + invisible) | join(' || ') }},
        '{{ ' ' * whitespace | length }}'), ' +', ' ')), '')
{%- endmacro %}


{#- Latin and Greek letters with diacritics and the base letter each folds to (lower-case):
    café -> cafe, Łódź -> lodz, Ελλάδα -> ελλαδα. Letters of other scripts are kept as they
    are; combining diacritics (U+0300-036F, decomposed accents) are removed by
    normalize_text. -#}
{% macro accent_folding() %}
    {{ return({'from': 'ÀÁÂÃÄÅÇÈÉÊËÌÍÎÏÑÒÓÔÕÖÙÚÛÜÝàáâãäåçèéêëìíîïñòóôõöùúûüýÿĀāĂăĄąĆćĈĉĊċČčĎďĒēĔĕĖėĘęĚěĜĝĞğĠġĢģĤĥĨĩĪīĬĭĮįİĴĵĶķĹĺĻļĽľŃńŅņŇňŌōŎŏŐőŔŕŖŗŘřŚśŜŝŞşŠšŢţŤťŨũŪūŬŭŮůŰűŲųŴŵŶŷŸŹźŻżŽžƠơƯưǍǎǏǐǑǒǓǔǕǖǗǘǙǚǛǜǞǟǠǡǢǣǦǧǨǩǪǫǬǭǮǯǰǴǵǸǹǺǻǼǽǾǿȀȁȂȃȄȅȆȇȈȉȊȋȌȍȎȏȐȑȒȓȔȕȖȗȘșȚțȞȟȦȧȨȩȪȫȬȭȮȯȰȱȲȳΆΈΉΊΌΎΏΐΪΫάέήίΰϊϋόύώϓϔḀḁḂḃḄḅḆḇḈḉḊḋḌḍḎḏḐḑḒḓḔḕḖḗḘḙḚḛḜḝḞḟḠḡḢḣḤḥḦḧḨḩḪḫḬḭḮḯḰḱḲḳḴḵḶḷḸḹḺḻḼḽḾḿṀṁṂṃṄṅṆṇṈṉṊṋṌṍṎṏṐṑṒṓṔṕṖṗṘṙṚṛṜṝṞṟṠṡṢṣṤṥṦṧṨṩṪṫṬṭṮṯṰṱṲṳṴṵṶṷṸṹṺṻṼṽṾṿẀẁẂẃẄẅẆẇẈẉẊẋẌẍẎẏẐẑẒẓẔẕẖẗẘẙẛẠạẢảẤấẦầẨẩẪẫẬậẮắẰằẲẳẴẵẶặẸẹẺẻẼẽẾếỀềỂểỄễỆệỈỉỊịỌọỎỏỐốỒồỔổỖỗỘộỚớỜờỞởỠỡỢợỤụỦủỨứỪừỬửỮữỰựỲỳỴỵỶỷỸỹøØđĐłŁħĦŧŦı', 'to': 'aaaaaaceeeeiiiinooooouuuuyaaaaaaceeeeiiiinooooouuuuyyaaaaaaccccccccddeeeeeeeeeegggggggghhiiiiiiiiijjkkllllllnnnnnnoooooorrrrrrssssssssttttuuuuuuuuuuuuwwyyyzzzzzzoouuaaiioouuuuuuuuuuaaaaææggkkooooʒʒjggnnaaææooaaaaeeeeiiiioooorrrruuuusstthhaaeeooooooooyyαεηιουωιιυαεηιυιυουωϒϒaabbbbbbccddddddddddeeeeeeeeeeffgghhhhhhhhhhiiiikkkkkkllllllllmmmmmmnnnnnnnnoooooooopppprrrrrrrrssssssssssttttttttuuuuuuuuuuvvvvwwwwwwwwwwxxxxyyzzzzzzhtwyſaaaaaaaaaaaaaaaaaaaaaaaaeeeeeeeeeeeeeeeeiiiioooooooooooooooooooooooouuuuuuuuuuuuuuyyyyyyyyooddllhhtti'}) }}
{% endmacro %}

{#- Lower-case, accents folded, every run of characters that are not letters, marks, digits
    or symbols (emoji) of any script folded to one space: for matching keys. -#}
{% macro normalize_text(expression) %}
    {{ return(adapter.dispatch('normalize_text', 'catalog_ml')(expression)) }}
{% endmacro %}

{#- DuckDB (RE2): Unicode classes letter, mark, number, other symbol. -#}
{% macro default__normalize_text(expression) -%}
    {%- set folding = accent_folding() -%}
    nullif(trim(regexp_replace(
        regexp_replace(translate(lower({{ clean_text(expression) }}), '{{ folding.from }}', '{{ folding.to }}'),
            '[\x{300}-\x{36f}]+', '', 'g'),
        '[^\pL\pM\pN\p{So}]+', ' ', 'g')), '')
{%- endmacro %}

{#- Snowflake regular expressions have no Unicode classes: fold ASCII punctuation and
    spaces and the common Unicode punctuation (quotes, dashes, CJK and Arabic marks); letters
    of every script stay. TRANSLATE deletes the combining diacritics. -#}
{% macro snowflake__normalize_text(expression) -%}
    {%- set folding = accent_folding() -%}
    {%- set marks = [] -%}
    {%- for code in range(768, 880) -%}
        {%- do marks.append('chr(' ~ code ~ ')') -%}
    {%- endfor -%}
    nullif(trim(regexp_replace(
        translate(translate(lower({{ clean_text(expression) }}), '{{ folding.from }}', '{{ folding.to }}'),
            {{ marks | join(' || ') }}, ''),
        '[[:punct:][:space:]«»‘’‚‛“”„‟‹›‐‑‒–—―…·•′″、。〃〈〉《》「」『』【】〔〕〜・，：；！？（）［］｛｝،؛؟٪۔¡¿§¶©®°±×÷€£¥¢]+', ' ')), '')
{%- endmacro %}


{#-
    Text a spreadsheet would run as a formula (a leading = + - or @, OWASP "CSV injection"),
    prefixed with a quote so it shows as text: for values published to BI (titles, brands,
    categories, descriptions). Portable SQL, no dispatch.
-#}
{% macro neutralise_formula(expression) -%}
    case
        when left({{ expression }}, 1) in ('=', '+', '-', '@') then '''' || {{ expression }}
        else {{ expression }}
    end
{%- endmacro %}
