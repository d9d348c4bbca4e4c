// Canonical request -> Gemini GenerateContentRequest: the §6.21 worked example, the translation matrix of PROTOCOLS §8
// (items 1-11 as they apply to Gemini), the §6.14 "gemini" schema sanitizer, function-response shape rules (P25) and
// thought-signature replay (P6).

#include "protocol/gemini/geminicommon.h"
#include "protocol/gemini/geminirequest.h"
#include "protocol/gemini/geministream.h"
#include "protocol/signature.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QTest>

#include <limits>

Q_DECLARE_METATYPE(sy::canon::Part)

using namespace sy;
using canon::Part;
using canon::PartKind;

namespace {

// Test JSON written with ' for " (no escaping needed here).
QJsonObject J(const char* text)
{
    QByteArray json(text);
    json.replace('\'', '"');
    QJsonParseError err;
    const QJsonDocument doc = QJsonDocument::fromJson(json, &err);
    if (err.error != QJsonParseError::NoError)
        qWarning("bad test JSON: %s at %d", qPrintable(err.errorString()), err.offset);
    return doc.object();
}

Part text(const QString& t)
{
    return Part::makeText(t);
}

Part image(const QString& mime, const QString& data)
{
    Part p;
    p.kind = PartKind::Image;
    p.mediaType = mime;
    p.data = data;
    return p;
}

Part imageUrl(const QString& url)
{
    Part p;
    p.kind = PartKind::Image;
    p.url = url;
    return p;
}

Part toolCall(const QString& id, const QString& name, const QJsonObject& input = {})
{
    Part p;
    p.kind = PartKind::ToolCall;
    p.id = id;
    p.name = name;
    p.input = input;
    return p;
}

Part toolResult(const QString& id, const QList<Part>& content, bool isError = false)
{
    Part p;
    p.kind = PartKind::ToolResult;
    p.toolCallId = id;
    p.content = content;
    p.isError = isError;
    return p;
}

Part reasoning(const QString& t, const QString& signature)
{
    Part p;
    p.kind = PartKind::Reasoning;
    p.text = t;
    p.signature = signature;
    return p;
}

QString geminiSig(const char* s)
{
    return gemini::wrapThoughtSignature(QString::fromLatin1(s));
}

canon::Message msg(canon::Role role, const QList<Part>& parts)
{
    canon::Message m;
    m.role = role;
    m.parts = parts;
    return m;
}

canon::Message user(const QList<Part>& parts)
{
    return msg(canon::Role::User, parts);
}

canon::Message assistant(const QList<Part>& parts)
{
    return msg(canon::Role::Assistant, parts);
}

canon::Tool tool(const QString& name, const QJsonObject& schema = {})
{
    canon::Tool t;
    t.name = name;
    t.description = QStringLiteral("Does ") + name;
    t.inputSchema = schema.isEmpty() ? J("{'type':'object','properties':{}}") : schema;
    return t;
}

QJsonObject encode(const canon::Request& req, const ModelProfile& profile = {},
    canon::TranslationContext* ctxOut = nullptr, const QString& model = QStringLiteral("gemini-2.5-pro"))
{
    canon::TranslationContext ctx;
    ctx.upstreamModel = model;
    const QByteArray body = gemini::encodeRequest(req, profile, ctx);
    if (ctxOut)
        *ctxOut = ctx;
    return QJsonDocument::fromJson(body).object();
}

QJsonArray contents(const QJsonObject& body)
{
    return body.value(QLatin1String("contents")).toArray();
}

QStringList roles(const QJsonObject& body)
{
    QStringList out;
    for (const QJsonValue& c : contents(body))
        out.append(c.toObject().value(QLatin1String("role")).toString());
    return out;
}

QJsonArray partsOf(const QJsonObject& body, int content)
{
    return contents(body).at(content).toObject().value(QLatin1String("parts")).toArray();
}

canon::Request basic()
{
    canon::Request r;
    r.model = QStringLiteral("claude-sonnet");
    r.maxTokens = 1000;
    r.messages.append(user({text(QStringLiteral("hi"))}));
    return r;
}

QJsonObject declaration(const QJsonObject& body, int i)
{
    return body.value(QLatin1String("tools"))
        .toArray()
        .at(0)
        .toObject()
        .value(QLatin1String("functionDeclarations"))
        .toArray()
        .at(i)
        .toObject();
}

// Every keyword found in schema positions of a sanitized schema (property names are not keywords).
void collectKeywords(const QJsonObject& schema, QSet<QString>* out)
{
    for (auto it = schema.constBegin(); it != schema.constEnd(); ++it) {
        out->insert(it.key());
        if (it.key() == QLatin1String("properties")) {
            const QJsonObject props = it.value().toObject();
            for (auto p = props.constBegin(); p != props.constEnd(); ++p)
                collectKeywords(p.value().toObject(), out);
        } else if (it.key() == QLatin1String("items")) {
            collectKeywords(it.value().toObject(), out);
        } else if (it.key() == QLatin1String("anyOf")) {
            for (const QJsonValue& b : it.value().toArray())
                collectKeywords(b.toObject(), out);
        }
    }
}

} // namespace

class TestGeminiRequest : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void paths()
    {
        QCOMPARE(gemini::streamPath(QStringLiteral("gemini-2.5-pro")),
            QStringLiteral("models/gemini-2.5-pro:streamGenerateContent?alt=sse"));
        QCOMPARE(gemini::generatePath(QStringLiteral("models/gemini-2.5-flash")),
            QStringLiteral("models/gemini-2.5-flash:generateContent"));
        QCOMPARE(gemini::generatePath(QStringLiteral("fx-a b")), QStringLiteral("models/fx-a%20b:generateContent"));
    }

    // PROTOCOLS §6.21: the Anthropic request Claude Code sends, translated for Gemini.
    void workedExample_data()
    {
        QTest::addColumn<QString>("signature");
        QTest::addColumn<QString>("expectedSignature");
        QTest::addRow("gemini-tagged") << geminiSig("Q2xhdWRlU2ln") << QStringLiteral("Q2xhdWRlU2ln");
        QTest::addRow("other gateway") << canon::makeGatewaySignature(QStringLiteral("none")) << QString();
        QTest::addRow("anthropic-native") << QStringLiteral("EqQBCkgIARABGAIiQL") << QString();
        QTest::addRow("empty gemini payload") << canon::makeGatewaySignature(QStringLiteral("gemini")) << QString();
    }

    void workedExample()
    {
        QFETCH(QString, signature);
        QFETCH(QString, expectedSignature);
        canon::Request r;
        r.model = QStringLiteral("gw-gemini");
        r.maxTokens = 32000;
        r.stream = true;
        r.system = {text(QStringLiteral("x-anthropic-billing-header: cc_version=1")),
            text(QStringLiteral("You are Claude Code"))};
        r.thinking.mode = canon::Thinking::Mode::Enabled;
        r.thinking.budgetTokens = 10000;
        r.tools = {tool(QStringLiteral("Read"),
            J("{'$schema':'http://json-schema.org/draft-07/schema#','type':'object','properties':{'file_path':"
              "{'type':'string'},'limit':{'type':'integer','exclusiveMinimum':0}},'required':['file_path'],"
              "'additionalProperties':false}"))};
        r.tools[0].description = QStringLiteral("Read a file");
        r.messages = {user({text(QStringLiteral("Show main.cpp"))}),
            assistant({reasoning(QStringLiteral("Need to read it."), signature),
                toolCall(QStringLiteral("call_1"), QStringLiteral("Read"), J("{'file_path':'main.cpp'}"))}),
            user({toolResult(QStringLiteral("call_1"), {text(QStringLiteral("int main(){}"))}),
                text(QStringLiteral("<system-reminder>x</system-reminder>"))})};
        r.userId = QStringLiteral("user_abc_session_123");

        QJsonObject expected
            = J("{'systemInstruction':{'parts':[{'text':'You are Claude Code'}]},"
                "'contents':["
                " {'role':'user','parts':[{'text':'Show main.cpp'}]},"
                " {'role':'model','parts':[{'functionCall':{'name':'Read','args':{'file_path':'main.cpp'}}}]},"
                " {'role':'user','parts':[{'functionResponse':{'name':'Read','response':{'output':'int main(){}'}}}]},"
                " {'role':'user','parts':[{'text':'<system-reminder>x</system-reminder>'}]}],"
                "'tools':[{'functionDeclarations':[{'name':'Read','description':'Read a file',"
                "  'parametersJsonSchema':{'type':'object','properties':{'file_path':{'type':'string'},"
                "  'limit':{'type':'integer','minimum':1}},'required':['file_path']}}]}],"
                "'generationConfig':{'maxOutputTokens':32000,'thinkingConfig':{'thinkingBudget':10000,"
                "'includeThoughts':true}}}");
        if (!expectedSignature.isEmpty()) {
            QJsonArray c = expected.value(QLatin1String("contents")).toArray();
            QJsonObject model = c.at(1).toObject();
            QJsonArray parts = model.value(QLatin1String("parts")).toArray();
            QJsonObject call = parts.at(0).toObject();
            call.insert(QLatin1String("thoughtSignature"), expectedSignature); // a sibling of functionCall
            parts[0] = call;
            model.insert(QLatin1String("parts"), parts);
            c[1] = model;
            expected.insert(QLatin1String("contents"), c);
        }
        QCOMPARE(encode(r), expected);
    }

    void systemPrompt()
    {
        canon::Request r = basic();
        r.system = {text(QStringLiteral("x-anthropic-billing-header: cc=1")), text(QStringLiteral("A")),
            text(QStringLiteral("  "))};
        r.messages.prepend(msg(canon::Role::System, {text(QStringLiteral("B"))}));
        r.messages.append(msg(canon::Role::System, {text(QStringLiteral("C"))}));
        r.messages.append(assistant({text(QStringLiteral("ok"))}));
        r.messages.append(msg(canon::Role::System, {text(QStringLiteral("D"))}));
        r.messages.append(user({text(QStringLiteral("go"))}));
        const QJsonObject body = encode(r);
        QCOMPARE(body.value(QLatin1String("systemInstruction")).toObject(), J("{'parts':[{'text':'A'},{'text':'B'}]}"));
        QCOMPARE(roles(body), (QStringList {QStringLiteral("user"), QStringLiteral("model"), QStringLiteral("user")}));
        QCOMPARE(partsOf(body, 0), J("{'a':[{'text':'hi'},{'text':'C'}]}").value(QLatin1String("a")).toArray());
        QCOMPARE(partsOf(body, 2), J("{'a':[{'text':'D'},{'text':'go'}]}").value(QLatin1String("a")).toArray());
        QVERIFY(!body.contains(QLatin1String("tools")));
        QVERIFY(!body.contains(QLatin1String("toolConfig")));
    }

    // §8 item 6: every rejected keyword, nested in properties/items/anyOf/$defs, plus a property named "format" and an
    // argument in history that contains "format" (and other keyword-like keys), which must stay untouched.
    void schemaSanitizer()
    {
        const QJsonObject schema = J(
            "{'$schema':'http://json-schema.org/draft-07/schema#','$id':'urn:x','$comment':'c','type':'object',"
            "'additionalProperties':false,'x-google-extra':1,'cache_control':{'type':'ephemeral'},'strict':true,"
            "'input_examples':[{}],'$defs':{'Mode':{'type':'string','enum':['fast','slow'],'deprecated':true},"
            "  'Node':{'type':'object','properties':{'next':{'$ref':'#/$defs/Node'},'v':{'type':'integer'}}}},"
            "'definitions':{'Old':{'type':'number','exclusiveMaximum':10}},"
            "'properties':{"
            " 'format':{'type':'string','format':'uri','description':'output format','examples':['a'],'readOnly':true},"
            " 'when':{'type':'string','format':'date-time','writeOnly':true},"
            " 'type':{'const':'fixed'},"
            " 'mode':{'$ref':'#/$defs/Mode','description':'the mode'},"
            " 'node':{'$ref':'#/$defs/Node'},"
            " 'old':{'$ref':'#/definitions/Old'},"
            " 'count':{'type':['integer','null'],'exclusiveMinimum':0,'uniqueItems':true,'multipleOf':2},"
            " 'size':{'type':'number','exclusiveMinimum':0.5,'contentEncoding':'base64','contentMediaType':'x/y'},"
            " 'choice':{'anyOf':[{'type':'string','pattern':'^a','propertyNames':{'pattern':'x'}},{'type':'null'},"
            "   "
            "{'type':'object','patternProperties':{'^x':{}},'properties':{'format':{'type':'string','format':'email'}},"
            "    'required':['format','missing']}]},"
            " 'one':{'oneOf':[{'type':'integer','enum':[1,2]},{'type':'boolean'}]},"
            " 'both':{'allOf':[{'properties':{'a':{'type':'string'}},'required':['a']},{'properties':{'b':{'type':"
            "   'string'}}}],'if':{'properties':{'a':{'const':'x'}}},'then':{'required':['b']},'else':{},'not':{}},"
            " 'list':{'type':'array','items':{'type':'object','properties':{'format':{'type':'integer','format':'int64'"
            "},"
            "   'e':{'type':'string','enumDescriptions':['x'],'enum':['p','q']}},'additionalProperties':{'type':"
            "   'string'}},'minItems':1,'prefixItems':[{}],'contains':{}},"
            " 'multi':{'type':['string','integer','array'],'items':{'type':'string'},'minLength':2,'maximum':9},"
            " 'flags':{'type':'object'},"
            " 'nums':{'type':'integer','enum':[1,2,3]}"
            "},"
            "'required':['format','gone','mode','format'],"
            "'dependentRequired':{'a':['b']},'unevaluatedProperties':false}");

        const QJsonObject out = gemini::sanitizeToolSchema(schema);
        // No rejected keyword survives anywhere in schema positions.
        QSet<QString> keywords;
        collectKeywords(out, &keywords);
        const QSet<QString> allowed {QStringLiteral("type"), QStringLiteral("format"), QStringLiteral("title"),
            QStringLiteral("description"), QStringLiteral("nullable"), QStringLiteral("enum"),
            QStringLiteral("maxItems"), QStringLiteral("minItems"), QStringLiteral("properties"),
            QStringLiteral("required"), QStringLiteral("minProperties"), QStringLiteral("maxProperties"),
            QStringLiteral("minLength"), QStringLiteral("maxLength"), QStringLiteral("pattern"),
            QStringLiteral("example"), QStringLiteral("anyOf"), QStringLiteral("propertyOrdering"),
            QStringLiteral("default"), QStringLiteral("items"), QStringLiteral("minimum"), QStringLiteral("maximum")};
        for (const QString& k : std::as_const(keywords))
            QVERIFY2(allowed.contains(k), qPrintable(QStringLiteral("keyword left: ") + k));

        const QJsonObject props = out.value(QLatin1String("properties")).toObject();
        // Property NAMES are kept, including ones that look like keywords.
        QCOMPARE(props.keys(),
            (QStringList {QStringLiteral("both"), QStringLiteral("choice"), QStringLiteral("count"),
                QStringLiteral("flags"), QStringLiteral("format"), QStringLiteral("list"), QStringLiteral("mode"),
                QStringLiteral("multi"), QStringLiteral("node"), QStringLiteral("nums"), QStringLiteral("old"),
                QStringLiteral("one"), QStringLiteral("size"), QStringLiteral("type"), QStringLiteral("when")}));
        QCOMPARE(out.value(QLatin1String("type")).toString(), QStringLiteral("object"));
        QCOMPARE(out.value(QLatin1String("required")).toArray(),
            J("{'a':['format','mode']}").value(QLatin1String("a")).toArray());
        QCOMPARE(props.value(QLatin1String("format")).toObject(), J("{'type':'string','description':'output format'}"));
        QCOMPARE(props.value(QLatin1String("when")).toObject(), J("{'type':'string','format':'date-time'}"));
        QCOMPARE(props.value(QLatin1String("type")).toObject(), J("{'type':'string','enum':['fixed']}"));
        QCOMPARE(props.value(QLatin1String("mode")).toObject(),
            J("{'type':'string','enum':['fast','slow'],'description':'the mode'}"));
        // A recursive $ref is inlined once, then cut.
        QCOMPARE(props.value(QLatin1String("node")).toObject(),
            J("{'type':'object','properties':{'next':{'type':'object','properties':{}},'v':{'type':'integer'}}}"));
        QCOMPARE(props.value(QLatin1String("old")).toObject(), J("{'type':'number'}"));
        QCOMPARE(props.value(QLatin1String("count")).toObject(), J("{'type':'integer','minimum':1,'nullable':true}"));
        QCOMPARE(props.value(QLatin1String("size")).toObject(), J("{'type':'number'}"));
        QCOMPARE(props.value(QLatin1String("choice")).toObject(),
            J("{'nullable':true,'anyOf':[{'type':'string','pattern':'^a'},{'type':'object','properties':{'format':"
              "{'type':'string'}},'required':['format']}]}"));
        QCOMPARE(props.value(QLatin1String("one")).toObject(), J("{'anyOf':[{'type':'integer'},{'type':'boolean'}]}"));
        QCOMPARE(props.value(QLatin1String("both")).toObject(),
            J("{'type':'object','properties':{'a':{'type':'string'},'b':{'type':'string'}},'required':['a']}"));
        QCOMPARE(props.value(QLatin1String("list")).toObject(),
            J("{'type':'array','minItems':1,'items':{'type':'object','properties':{'format':{'type':'integer',"
              "'format':'int64'},'e':{'type':'string','enum':['p','q']}}}}"));
        QCOMPARE(props.value(QLatin1String("multi")).toObject(),
            J("{'anyOf':[{'type':'string','minLength':2},{'type':'integer','maximum':9},{'type':'array','items':"
              "{'type':'string'}}]}"));
        QCOMPARE(props.value(QLatin1String("flags")).toObject(), J("{'type':'object','properties':{}}"));
        QCOMPARE(props.value(QLatin1String("nums")).toObject(), J("{'type':'integer'}"));
        // Idempotent.
        QCOMPARE(gemini::sanitizeToolSchema(out), out);

        // In a request: the declaration uses the sanitized schema, and history arguments are untouched.
        canon::Request r = basic();
        r.tools = {tool(QStringLiteral("T"), schema), tool(QStringLiteral("NoArgs"), J("{'type':'object'}")),
            tool(QStringLiteral("Untyped"), J("{'properties':{'x':{'type':'string'}}}")),
            tool(QStringLiteral("Empty"), QJsonObject())};
        const QJsonObject args = J("{'format':'json','$schema':'keep me','type':['x'],'additionalProperties':false,"
                                   "'$ref':'#/x','const':1,'nested':{'format':'uri','exclusiveMinimum':0}}");
        r.messages.append(assistant({toolCall(QStringLiteral("toolu_1"), QStringLiteral("T"), args)}));
        r.messages.append(user({toolResult(QStringLiteral("toolu_1"), {text(QStringLiteral("ok"))})}));
        const QJsonObject body = encode(r);
        QCOMPARE(declaration(body, 0).value(QLatin1String("parametersJsonSchema")).toObject(), out);
        QCOMPARE(declaration(body, 1).value(QLatin1String("parametersJsonSchema")).toObject(),
            J("{'type':'object','properties':{}}"));
        QCOMPARE(declaration(body, 2).value(QLatin1String("parametersJsonSchema")).toObject(),
            J("{'type':'object','properties':{'x':{'type':'string'}}}"));
        QCOMPARE(declaration(body, 3).value(QLatin1String("parametersJsonSchema")).toObject(),
            J("{'type':'object','properties':{}}"));
        QCOMPARE(partsOf(body, 1)
                     .at(0)
                     .toObject()
                     .value(QLatin1String("functionCall"))
                     .toObject()
                     .value(QLatin1String("args"))
                     .toObject(),
            args);
    }

    void schemaEdgeCases_data()
    {
        QTest::addColumn<QJsonObject>("in");
        QTest::addColumn<QJsonObject>("out");
        QTest::addRow("root not object") << J("{'type':'string'}") << J("{'type':'object','properties':{}}");
        QTest::addRow("root ref") << J("{'$ref':'#/$defs/A','$defs':{'A':{'type':'object','properties':{'x':"
                                       "{'type':'boolean'}}}}}")
                                  << J("{'type':'object','properties':{'x':{'type':'boolean'}}}");
        QTest::addRow("self ref") << J("{'type':'object','properties':{'me':{'$ref':'#'}}}")
                                  << J("{'type':'object','properties':{'me':{'type':'object','properties':{'me':"
                                       "{'type':'object','properties':{}}}}}}");
        QTest::addRow("unknown ref") << J(
            "{'type':'object','properties':{'x':{'$ref':'http://x/y','description':'d'}}}")
                                     << J("{'type':'object','properties':{'x':{'description':'d'}}}");
        QTest::addRow("escaped pointer") << J("{'type':'object','properties':{'x':{'$ref':'#/$defs/a~1b'}},"
                                              "'$defs':{'a/b':{'type':'string'}}}")
                                         << J("{'type':'object','properties':{'x':{'type':'string'}}}");
        QTest::addRow("null type only") << J("{'type':'object','properties':{'n':{'type':'null'}}}")
                                        << J("{'type':'object','properties':{'n':{'type':'null'}}}");
        QTest::addRow("enum with null") << J("{'type':'object','properties':{'e':{'enum':['a',null,3,true]}}}")
                                        << J("{'type':'object','properties':{'e':{'type':'string','enum':['a','3',"
                                             "'true'],'nullable':true}}}");
        QTest::addRow("boolean schemas") << J("{'type':'object','properties':{'any':true,'none':false}}")
                                         << J("{'type':'object','properties':{'any':{},'none':{}}}");
        QTest::addRow("draft4 exclusive") << J("{'type':'object','properties':{'i':{'type':'integer','minimum':0,"
                                               "'exclusiveMinimum':true,'maximum':10,'exclusiveMaximum':true}}}")
                                          << J("{'type':'object','properties':{'i':{'type':'integer','minimum':1,"
                                               "'maximum':9}}}");
        QTest::addRow("required not array") << J("{'type':'object','properties':{'a':{}},'required':'a'}")
                                            << J("{'type':'object','properties':{'a':{}}}");
        QTest::addRow("nested anyOf null ref")
            << J("{'type':'object','properties':{'p':{'anyOf':[{'$ref':'#/$defs/P'},{'type':'null'}]}},"
                 "'$defs':{'P':{'type':'object','properties':{'q':{'type':'string','format':'uuid'}}}}}")
            << J("{'type':'object','properties':{'p':{'type':'object','nullable':true,'properties':{'q':{'type':"
                 "'string'}}}}}");
    }

    void schemaEdgeCases()
    {
        QFETCH(QJsonObject, in);
        QFETCH(QJsonObject, out);
        QCOMPARE(gemini::sanitizeToolSchema(in), out);
    }

    void deepSchemaIsBounded()
    {
        // A pathologically deep schema and a ref chain must not blow the stack.
        QJsonObject deep = J("{'type':'string'}");
        for (int i = 0; i < 300; ++i)
            deep = QJsonObject {{QStringLiteral("type"), QStringLiteral("object")},
                {QStringLiteral("properties"), QJsonObject {{QStringLiteral("x"), deep}}}};
        const QJsonObject out = gemini::sanitizeToolSchema(deep);
        QCOMPARE(out.value(QLatin1String("type")).toString(), QStringLiteral("object"));
        QJsonObject defs;
        for (int i = 0; i < 100; ++i)
            defs.insert(QStringLiteral("D%1").arg(i),
                QJsonObject {{QStringLiteral("$ref"), QStringLiteral("#/$defs/D%1").arg(i + 1)}});
        const QJsonObject chain {{QStringLiteral("type"), QStringLiteral("object")}, {QStringLiteral("$defs"), defs},
            {QStringLiteral("properties"),
                QJsonObject {
                    {QStringLiteral("a"), QJsonObject {{QStringLiteral("$ref"), QStringLiteral("#/$defs/D0")}}}}}};
        QVERIFY(gemini::sanitizeToolSchema(chain).value(QLatin1String("properties")).isObject());
    }

    // P25: one user turn answers all calls of the preceding model turn, in the same count and order; images of the
    // results follow the responses; other user content goes into its own following turn; orphans are dropped.
    void functionResponseOrdering()
    {
        canon::Request r = basic();
        r.tools = {tool(QStringLiteral("A")), tool(QStringLiteral("B")), tool(QStringLiteral("C"))};
        r.messages.append(assistant(
            {text(QStringLiteral("calling")), toolCall(QStringLiteral("toolu_a"), QStringLiteral("A"), J("{'n':1}")),
                toolCall(QStringLiteral("toolu_b"), QStringLiteral("B")),
                toolCall(QStringLiteral("toolu_c"), QStringLiteral("C"))}));
        r.messages.append(
            user({toolResult(QStringLiteral("toolu_c"),
                      {text(QStringLiteral("c out")), image(QStringLiteral("image/png"), QStringLiteral("UE5H"))}),
                text(QStringLiteral("between")),
                toolResult(QStringLiteral("toolu_zz"), {text(QStringLiteral("orphan"))}),
                toolResult(QStringLiteral("toolu_a"), {text(QStringLiteral("a failed"))}, true)}));
        const QJsonObject body = encode(r);
        QCOMPARE(roles(body),
            (QStringList {
                QStringLiteral("user"), QStringLiteral("model"), QStringLiteral("user"), QStringLiteral("user")}));
        QCOMPARE(QJsonValue(partsOf(body, 2)),
            QJsonValue(
                J("{'a':["
                  "{'functionResponse':{'name':'A','response':{'error':'a failed'}}},"
                  "{'functionResponse':{'name':'B','response':{'error':'(tool call was interrupted; no result)'}}},"
                  "{'functionResponse':{'name':'C','response':{'output':'c out'}}},"
                  "{'inlineData':{'mimeType':'image/png','data':'UE5H'}}]}")
                    .value(QLatin1String("a"))));
        QCOMPARE(QJsonValue(partsOf(body, 3)), QJsonValue(J("{'a':[{'text':'between'}]}").value(QLatin1String("a"))));

        // Orphan results with no preceding calls are dropped; an unanswered trailing call gets a response.
        canon::Request o = basic();
        o.messages
            = {user({toolResult(QStringLiteral("x"), {text(QStringLiteral("orphan"))}), text(QStringLiteral("q"))}),
                assistant({toolCall(QStringLiteral("toolu_t"), QStringLiteral("T"))})};
        const QJsonObject ob = encode(o);
        QCOMPARE(roles(ob), (QStringList {QStringLiteral("user"), QStringLiteral("model"), QStringLiteral("user")}));
        QCOMPARE(partsOf(ob, 0).size(), 1);
        QCOMPARE(partsOf(ob, 2)
                     .at(0)
                     .toObject()
                     .value(QLatin1String("functionResponse"))
                     .toObject()
                     .value(QLatin1String("name"))
                     .toString(),
            QStringLiteral("T"));
    }

    void nameRecoveryAndIds()
    {
        canon::Request r = basic();
        // Gemini-made ids go back in functionCall.id and functionResponse.id; ours/Anthropic's/OpenAI's do not.
        r.messages.append(
            assistant({toolCall(QStringLiteral("g1bmv6il"), QStringLiteral("get_weather"), J("{'city':'SF'}")),
                toolCall(QStringLiteral("toolu_01abc"), QStringLiteral("Read"))}));
        r.messages.append(user({toolResult(QStringLiteral("toolu_01abc"), {text(QStringLiteral("file"))}),
            toolResult(QStringLiteral("g1bmv6il"), {text(QStringLiteral("sunny"))})}));
        const QJsonObject body = encode(r);
        const QJsonArray model = partsOf(body, 1);
        QCOMPARE(model.at(0).toObject().value(QLatin1String("functionCall")).toObject(),
            J("{'name':'get_weather','args':{'city':'SF'},'id':'g1bmv6il'}"));
        QCOMPARE(
            model.at(1).toObject().value(QLatin1String("functionCall")).toObject(), J("{'name':'Read','args':{}}"));
        const QJsonArray responses = partsOf(body, 2);
        QCOMPARE(responses.at(0).toObject().value(QLatin1String("functionResponse")).toObject(),
            J("{'name':'get_weather','response':{'output':'sunny'},'id':'g1bmv6il'}"));
        QCOMPARE(responses.at(1).toObject().value(QLatin1String("functionResponse")).toObject(),
            J("{'name':'Read','response':{'output':'file'}}"));
    }

    // P6: the thoughtSignature goes back on exactly the part it arrived on.
    void thoughtSignatures()
    {
        canon::Request r = basic();
        r.messages.append(assistant({reasoning(QStringLiteral("plan"), geminiSig("UzE=")),
            toolCall(QStringLiteral("toolu_1"), QStringLiteral("A")),
            toolCall(QStringLiteral("toolu_2"), QStringLiteral("B"))}));
        r.messages.append(user({toolResult(QStringLiteral("toolu_1"), {text(QStringLiteral("1"))}),
            toolResult(QStringLiteral("toolu_2"), {text(QStringLiteral("2"))})}));
        r.messages.append(assistant({reasoning(QStringLiteral("own"), geminiSig("VDE=")),
            reasoning({}, geminiSig("UzI=")), text(QStringLiteral("answer")),
            reasoning(QStringLiteral("x"), QStringLiteral("bmF0aXZl")), reasoning({}, geminiSig("VHJhaWw="))}));
        r.messages.append(user({text(QStringLiteral("next"))}));
        const QJsonObject body = encode(r);
        QCOMPARE(QJsonValue(partsOf(body, 1)),
            QJsonValue(J("{'a':[{'functionCall':{'name':'A','args':{}},'thoughtSignature':'UzE='},"
                         "{'functionCall':{'name':'B','args':{}}}]}")
                           .value(QLatin1String("a"))));
        QCOMPARE(QJsonValue(partsOf(body, 3)),
            QJsonValue(J("{'a':[{'text':'own','thought':true,'thoughtSignature':'VDE='},"
                         "{'text':'answer','thoughtSignature':'UzI='},{'text':'','thoughtSignature':'VHJhaWw='}]}")
                           .value(QLatin1String("a"))));

        // Decoded stream -> next request: the signature returns on the functionCall it came with (§6.21).
        const QByteArray stream
            = "data: {\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"Let me look\",\"thought\":true}]}}]}\r\n\r\n"
              "data: "
              "{\"candidates\":[{\"content\":{\"parts\":[{\"functionCall\":{\"name\":\"Read\",\"args\":{\"f\":\"m\"}},"
              "\"thoughtSignature\":\"RkNTSUc=\"},{\"functionCall\":{\"name\":\"Read\",\"args\":{\"f\":\"n\"}}}]},"
              "\"finishReason\":\"STOP\"}]}\r\n\r\n";
        gemini::StreamDecoder d({});
        canon::StreamEvents events;
        d.feed(stream, events);
        d.finish(events);
        canon::ResponseAccumulator acc;
        acc.add(events);
        const canon::Response resp = acc.take();
        canon::Request next = basic();
        next.messages.append(assistant(resp.content));
        QList<Part> results;
        for (const Part& p : resp.content) {
            if (p.kind == PartKind::ToolCall)
                results.append(toolResult(p.id, {text(QStringLiteral("ok"))}));
        }
        next.messages.append(user(results));
        const QJsonObject nb = encode(next);
        const QJsonArray model = partsOf(nb, 1);
        QCOMPARE(model.size(), 2);
        QCOMPARE(
            model.at(0).toObject().value(QLatin1String("thoughtSignature")).toString(), QStringLiteral("RkNTSUc="));
        QVERIFY(model.at(0).toObject().contains(QLatin1String("functionCall")));
        QVERIFY(!model.at(1).toObject().contains(QLatin1String("thoughtSignature")));
        QCOMPARE(partsOf(nb, 2).size(), 2);
    }

    void gemini3Sentinel_data()
    {
        QTest::addColumn<QString>("model");
        QTest::addColumn<bool>("sentinel");
        QTest::addRow("2.5") << QStringLiteral("gemini-2.5-pro") << false;
        QTest::addRow("3 pro") << QStringLiteral("gemini-3-pro-preview") << true;
        QTest::addRow("3.1 flash") << QStringLiteral("models/gemini-3.1-flash-lite") << true;
        QTest::addRow("other") << QStringLiteral("gemma-4-26b") << false;
    }

    void gemini3Sentinel()
    {
        QFETCH(QString, model);
        QFETCH(bool, sentinel);
        canon::Request r = basic();
        r.messages.append(assistant({toolCall(QStringLiteral("toolu_1"), QStringLiteral("A")),
            toolCall(QStringLiteral("toolu_2"), QStringLiteral("A"))}));
        r.messages.append(user({toolResult(QStringLiteral("toolu_1"), {}), toolResult(QStringLiteral("toolu_2"), {})}));
        const QJsonArray parts = partsOf(encode(r, {}, nullptr, model), 1);
        QCOMPARE(parts.at(0).toObject().value(QLatin1String("thoughtSignature")).toString(),
            sentinel ? gemini::skipSignatureSentinel() : QString());
        QVERIFY(!parts.at(1).toObject().contains(QLatin1String("thoughtSignature")));
    }

    void toolNames()
    {
        const QString longName
            = QStringLiteral("mcp__a_very_long_server_name_for_testing__and_an_even_longer_tool_name_here");
        canon::Request r = basic();
        r.tools = {tool(QStringLiteral("ns.tool:v1-x")), tool(QStringLiteral("bad name/with*chars")), tool(longName),
            tool(QStringLiteral("9lives"))};
        canon::Tool builtin;
        builtin.name = QStringLiteral("web_search");
        builtin.builtinType = QStringLiteral("web_search_20250305");
        r.tools.append(builtin);
        r.messages.append(assistant({toolCall(QStringLiteral("toolu_1"), QStringLiteral("bad name/with*chars"))}));
        r.messages.append(user({toolResult(QStringLiteral("toolu_1"), {text(QStringLiteral("ok"))})}));
        r.toolChoice.mode = canon::ToolChoice::Mode::Tool;
        r.toolChoice.name = longName;
        canon::TranslationContext ctx;
        const QJsonObject body = encode(r, {}, &ctx);
        const QJsonArray decls = body.value(QLatin1String("tools"))
                                     .toArray()
                                     .at(0)
                                     .toObject()
                                     .value(QLatin1String("functionDeclarations"))
                                     .toArray();
        QCOMPARE(decls.size(), 4); // the builtin tool is dropped
        static const QRegularExpression valid(QStringLiteral("^[A-Za-z_][A-Za-z0-9_.:-]{0,63}$"));
        QStringList names;
        for (const QJsonValue& d : decls) {
            const QString n = d.toObject().value(QLatin1String("name")).toString();
            QVERIFY2(valid.match(n).hasMatch(), qPrintable(n));
            names.append(n);
        }
        QCOMPARE(names.at(0), QStringLiteral("ns.tool:v1-x"));
        QCOMPARE(ctx.toolNameToClient.value(names.at(1)), QStringLiteral("bad name/with*chars"));
        QCOMPARE(ctx.toolNameToClient.value(names.at(2)), longName);
        QCOMPARE(ctx.toolNameToClient.value(names.at(3)), QStringLiteral("9lives"));
        QVERIFY(!ctx.toolNameToClient.contains(names.at(0)));
        // Deterministic, and the same name in history and in the function response.
        QCOMPARE(encode(r), body);
        QCOMPARE(partsOf(body, 1)
                     .at(0)
                     .toObject()
                     .value(QLatin1String("functionCall"))
                     .toObject()
                     .value(QLatin1String("name"))
                     .toString(),
            names.at(1));
        QCOMPARE(partsOf(body, 2)
                     .at(0)
                     .toObject()
                     .value(QLatin1String("functionResponse"))
                     .toObject()
                     .value(QLatin1String("name"))
                     .toString(),
            names.at(1));
        QCOMPARE(body.value(QLatin1String("toolConfig")).toObject(),
            QJsonObject({{QStringLiteral("functionCallingConfig"),
                QJsonObject({{QStringLiteral("mode"), QStringLiteral("ANY")},
                    {QStringLiteral("allowedFunctionNames"), QJsonArray {names.at(2)}}})}}));

        // The stream decoder restores the client's name.
        const QByteArray stream = "data: {\"candidates\":[{\"content\":{\"parts\":[{\"functionCall\":{\"name\":\""
            + names.at(1).toUtf8() + "\",\"args\":{}}}]},\"finishReason\":\"STOP\"}]}\r\n\r\n";
        gemini::StreamDecoder d(ctx);
        canon::StreamEvents events;
        d.feed(stream, events);
        d.finish(events);
        bool found = false;
        for (const canon::StreamEvent& e : events) {
            if (e.type == canon::StreamEvent::Type::ToolCallStart) {
                QCOMPARE(e.name, QStringLiteral("bad name/with*chars"));
                found = true;
            }
        }
        QVERIFY(found);
    }

    void toolChoice_data()
    {
        QTest::addColumn<int>("mode");
        QTest::addColumn<QString>("name");
        QTest::addColumn<bool>("disableParallel");
        QTest::addColumn<QJsonObject>("expected");
        QTest::addRow("unset") << int(canon::ToolChoice::Mode::Unset) << QString() << false << QJsonObject();
        for (bool dp : {false, true}) {
            const char* suffix = dp ? " no-parallel" : "";
            QTest::addRow("auto%s", suffix) << int(canon::ToolChoice::Mode::Auto) << QString() << dp
                                            << J("{'functionCallingConfig':{'mode':'AUTO'}}");
            QTest::addRow("any%s", suffix) << int(canon::ToolChoice::Mode::Any) << QString() << dp
                                           << J("{'functionCallingConfig':{'mode':'ANY'}}");
            QTest::addRow("tool%s", suffix)
                << int(canon::ToolChoice::Mode::Tool) << QStringLiteral("B") << dp
                << J("{'functionCallingConfig':{'mode':'ANY','allowedFunctionNames':['B']}}");
            QTest::addRow("unknown tool%s", suffix) << int(canon::ToolChoice::Mode::Tool) << QStringLiteral("Z") << dp
                                                    << J("{'functionCallingConfig':{'mode':'ANY'}}");
            QTest::addRow("none%s", suffix) << int(canon::ToolChoice::Mode::None) << QString() << dp
                                            << J("{'functionCallingConfig':{'mode':'NONE'}}");
        }
    }

    void toolChoice()
    {
        QFETCH(int, mode);
        QFETCH(QString, name);
        QFETCH(bool, disableParallel);
        QFETCH(QJsonObject, expected);
        canon::Request r = basic();
        r.tools = {tool(QStringLiteral("A")), tool(QStringLiteral("B"))};
        r.toolChoice.mode = canon::ToolChoice::Mode(mode);
        r.toolChoice.name = name;
        r.toolChoice.disableParallel = disableParallel;
        const QJsonObject body = encode(r);
        QCOMPARE(body.value(QLatin1String("toolConfig")).toObject(), expected);
        // Without tools there is no toolConfig at all.
        r.tools.clear();
        QVERIFY(!encode(r).contains(QLatin1String("toolConfig")));
    }

    void thinking_data()
    {
        QTest::addColumn<int>("mode");
        QTest::addColumn<int>("budget");
        QTest::addColumn<QString>("effort");
        QTest::addColumn<int>("expected"); // INT_MIN: no thinkingConfig
        const int none = std::numeric_limits<int>::min();
        QTest::addRow("unset") << int(canon::Thinking::Mode::Unset) << 0 << QString() << none;
        QTest::addRow("disabled") << int(canon::Thinking::Mode::Disabled) << 0 << QString() << none;
        QTest::addRow("enabled 1024") << int(canon::Thinking::Mode::Enabled) << 1024 << QString() << 1024;
        QTest::addRow("enabled 8192") << int(canon::Thinking::Mode::Enabled) << 8192 << QString() << 8192;
        QTest::addRow("enabled 30000") << int(canon::Thinking::Mode::Enabled) << 30000 << QString() << 24576;
        QTest::addRow("enabled 100") << int(canon::Thinking::Mode::Enabled) << 100 << QString() << 512;
        QTest::addRow("enabled no budget") << int(canon::Thinking::Mode::Enabled) << 0 << QString() << -1;
        QTest::addRow("adaptive") << int(canon::Thinking::Mode::Adaptive) << 0 << QString() << -1;
        QTest::addRow("adaptive low") << int(canon::Thinking::Mode::Adaptive) << 0 << QStringLiteral("low") << 1024;
        QTest::addRow("adaptive medium") << int(canon::Thinking::Mode::Adaptive) << 0 << QStringLiteral("medium")
                                         << 8192;
        QTest::addRow("adaptive high") << int(canon::Thinking::Mode::Adaptive) << 0 << QStringLiteral("high") << 24576;
        QTest::addRow("adaptive xhigh") << int(canon::Thinking::Mode::Adaptive) << 0 << QStringLiteral("xhigh")
                                        << 24576;
        QTest::addRow("adaptive max") << int(canon::Thinking::Mode::Adaptive) << 0 << QStringLiteral("max") << 24576;
        QTest::addRow("enabled effort") << int(canon::Thinking::Mode::Enabled) << 0 << QStringLiteral("low") << 1024;
        QTest::addRow("budget above max tokens")
            << int(canon::Thinking::Mode::Adaptive) << 0 << QStringLiteral("max") << 5000;
    }

    void thinking()
    {
        QFETCH(int, mode);
        QFETCH(int, budget);
        QFETCH(QString, effort);
        QFETCH(int, expected);
        canon::Request r = basic();
        r.maxTokens = QByteArray(QTest::currentDataTag()).startsWith("budget above") ? 10000 : 32000;
        r.thinking.mode = canon::Thinking::Mode(mode);
        r.thinking.budgetTokens = budget;
        r.thinking.effort = effort;
        const QJsonObject gen = encode(r).value(QLatin1String("generationConfig")).toObject();
        if (expected == std::numeric_limits<int>::min()) {
            QVERIFY(!gen.contains(QLatin1String("thinkingConfig")));
        } else {
            QCOMPARE(gen.value(QLatin1String("thinkingConfig")).toObject(),
                QJsonObject({{QStringLiteral("thinkingBudget"), expected}, {QStringLiteral("includeThoughts"), true}}));
        }
    }

    void generationConfig()
    {
        canon::Request r = basic();
        r.maxTokens = 64000;
        r.temperature = 0.5;
        r.topP = 0.9;
        r.topK = 40;
        r.stopSequences = {QStringLiteral("a"), QString(), QStringLiteral("b"), QStringLiteral("c"),
            QStringLiteral("d"), QStringLiteral("e"), QStringLiteral("f")};
        ModelProfile profile;
        profile.maxOutputTokens = 8192;
        QCOMPARE(encode(r, profile).value(QLatin1String("generationConfig")).toObject(),
            J("{'maxOutputTokens':8192,'temperature':0.5,'topP':0.9,'topK':40,'stopSequences':['a','b','c','d','e']}"));
        // Context-window clamp (shared with the Chat adapter).
        profile.maxOutputTokens = 0;
        profile.contextWindow = 4000;
        const int clamped = encode(r, profile)
                                .value(QLatin1String("generationConfig"))
                                .toObject()
                                .value(QLatin1String("maxOutputTokens"))
                                .toInt();
        QVERIFY(clamped >= 1024 && clamped < 4000);
        // Nothing to say: no generationConfig.
        canon::Request bare = basic();
        bare.maxTokens = 0;
        QVERIFY(!encode(bare).contains(QLatin1String("generationConfig")));
    }

    void outputSchema()
    {
        canon::Request r = basic();
        r.outputSchema
            = J("{'$schema':'x','type':'object','properties':{'a':{'type':['string','null'],'format':'email'}},"
                "'additionalProperties':false}");
        const QJsonObject gen = encode(r).value(QLatin1String("generationConfig")).toObject();
        QCOMPARE(gen.value(QLatin1String("responseMimeType")).toString(), QStringLiteral("application/json"));
        QCOMPARE(gen.value(QLatin1String("responseJsonSchema")).toObject(),
            J("{'type':'object','properties':{'a':{'type':'string','nullable':true}}}"));
    }

    void images_data()
    {
        QTest::addColumn<Part>("part");
        QTest::addColumn<QJsonObject>("expected");
        QTest::addRow("png") << image(QStringLiteral("image/png"), QStringLiteral("AAA"))
                             << J("{'inlineData':{'mimeType':'image/png','data':'AAA'}}");
        QTest::addRow("jpeg") << image(QStringLiteral("image/jpeg"), QStringLiteral("BBB"))
                              << J("{'inlineData':{'mimeType':'image/jpeg','data':'BBB'}}");
        QTest::addRow("webp") << image(QStringLiteral("image/webp"), QStringLiteral("CCC"))
                              << J("{'inlineData':{'mimeType':'image/webp','data':'CCC'}}");
        QTest::addRow("gif") << image(QStringLiteral("image/gif"), QStringLiteral("DDD"))
                             << J("{'text':'(a GIF image was omitted: the model does not accept GIF)'}");
        QTest::addRow("url") << imageUrl(QStringLiteral("https://x.test/a/b.JPG?x=1"))
                             << J("{'fileData':{'mimeType':'image/jpeg','fileUri':'https://x.test/a/b.JPG?x=1'}}");
        QTest::addRow("url unknown type")
            << imageUrl(QStringLiteral("gs://bucket/obj")) << J("{'fileData':{'fileUri':'gs://bucket/obj'}}");
        QTest::addRow("data url") << imageUrl(QStringLiteral("data:image/png;base64,EEE"))
                                  << J("{'inlineData':{'mimeType':'image/png','data':'EEE'}}");
        Part pdf;
        pdf.kind = PartKind::Document;
        pdf.mediaType = QStringLiteral("application/pdf");
        pdf.data = QStringLiteral("JVBE");
        QTest::addRow("pdf") << pdf << J("{'inlineData':{'mimeType':'application/pdf','data':'JVBE'}}");
        Part plain;
        plain.kind = PartKind::Document;
        plain.text = QStringLiteral("body");
        plain.title = QStringLiteral("T");
        QTest::addRow("text document") << plain << J("{'text':'T\\n\\nbody'}");
        Part b64;
        b64.kind = PartKind::Document;
        b64.mediaType = QStringLiteral("text/plain");
        b64.data = QString::fromLatin1(QByteArray("hello").toBase64());
        QTest::addRow("base64 text document") << b64 << J("{'text':'hello'}");
        Part url;
        url.kind = PartKind::Document;
        url.url = QStringLiteral("https://x.test/doc.pdf");
        QTest::addRow("document url")
            << url << J("{'fileData':{'mimeType':'application/pdf','fileUri':'https://x.test/doc.pdf'}}");
    }

    void images()
    {
        QFETCH(Part, part);
        QFETCH(QJsonObject, expected);
        canon::Request r = basic();
        r.messages = {user({text(QStringLiteral("see")), part})};
        const QJsonArray parts = partsOf(encode(r), 0);
        QCOMPARE(parts.size(), 2);
        QCOMPARE(parts.at(1).toObject(), expected);

        // The same media inside a tool result comes after the function responses.
        canon::Request t = basic();
        t.messages.append(assistant({toolCall(QStringLiteral("toolu_1"), QStringLiteral("Read"))}));
        t.messages.append(user({toolResult(QStringLiteral("toolu_1"), {part})}));
        const QJsonArray fr = partsOf(encode(t), 2);
        QVERIFY(fr.at(0).toObject().contains(QLatin1String("functionResponse")));
        if (expected.contains(QLatin1String("text"))) {
            QCOMPARE(fr.size(), 1);
            QCOMPARE(fr.at(0)
                         .toObject()
                         .value(QLatin1String("functionResponse"))
                         .toObject()
                         .value(QLatin1String("response"))
                         .toObject()
                         .value(QLatin1String("output"))
                         .toString(),
                expected.value(QLatin1String("text")).toString());
        } else {
            QCOMPARE(fr.size(), 2);
            QCOMPARE(fr.at(1).toObject(), expected);
        }
    }

    void conversationShape()
    {
        // History starting with a model turn gets a leading user turn; consecutive same roles are merged; empty and
        // blank parts vanish; redacted thinking and opaque blocks are dropped.
        canon::Request r;
        r.model = QStringLiteral("m");
        Part redacted;
        redacted.kind = PartKind::RedactedReasoning;
        redacted.data = QStringLiteral("xx");
        Part opaque;
        opaque.kind = PartKind::Opaque;
        opaque.raw = J("{'type':'server_tool_use'}");
        r.messages
            = {assistant({text(QStringLiteral("a1"))}), assistant({redacted, opaque, text(QStringLiteral("a2"))}),
                user({text(QStringLiteral("u1")), text(QStringLiteral(" "))}), user({text(QStringLiteral("u2"))}),
                assistant({redacted}), user({text(QStringLiteral("u3"))})};
        const QJsonObject body = encode(r);
        QCOMPARE(roles(body), (QStringList {QStringLiteral("user"), QStringLiteral("model"), QStringLiteral("user")}));
        QCOMPARE(
            partsOf(body, 0).at(0).toObject().value(QLatin1String("text")).toString(), QStringLiteral("(continue)"));
        QCOMPARE(partsOf(body, 1).size(), 2);
        QCOMPARE(QJsonValue(partsOf(body, 2)),
            QJsonValue(J("{'a':[{'text':'u1'},{'text':'u2'},{'text':'u3'}]}").value(QLatin1String("a"))));
        for (const QJsonValue& c : contents(body))
            QVERIFY(!c.toObject().value(QLatin1String("parts")).toArray().isEmpty());

        // No messages at all still gives a valid first user turn.
        canon::Request empty;
        QCOMPARE(roles(encode(empty)), QStringList {QStringLiteral("user")});
    }

    void noAnthropicFields()
    {
        canon::Request r = basic();
        r.userId = QStringLiteral("u");
        r.stream = true;
        const QJsonObject body = encode(r);
        for (const QString& k : body.keys())
            QVERIFY2((QStringList {QStringLiteral("contents"), QStringLiteral("generationConfig")}).contains(k),
                qPrintable(k));
    }

    // Priority 2: GenerateContentRequest -> canonical (inbound Gemini clients).
    void roundTrip()
    {
        canon::Request r;
        r.model = QStringLiteral("gemini-2.5-pro");
        r.system = {text(QStringLiteral("sys one")), text(QStringLiteral("sys two"))};
        r.maxTokens = 2048;
        r.temperature = 0.25;
        r.topP = 0.5;
        r.topK = 7;
        r.stopSequences = {QStringLiteral("END")};
        r.thinking.mode = canon::Thinking::Mode::Enabled;
        r.thinking.budgetTokens = 1500;
        r.tools = {tool(QStringLiteral("Read"),
                       J("{'type':'object','properties':{'path':{'type':'string'}},'required':['path']}")),
            tool(QStringLiteral("Bash"))};
        r.toolChoice.mode = canon::ToolChoice::Mode::Tool;
        r.toolChoice.name = QStringLiteral("Read");
        r.outputSchema = J("{'type':'object','properties':{'a':{'type':'string'}}}");
        r.messages = {user({text(QStringLiteral("hello")), image(QStringLiteral("image/png"), QStringLiteral("UE5H"))}),
            assistant({reasoning({}, geminiSig("U0lH")), text(QStringLiteral("let me")),
                toolCall(QStringLiteral("g1abc"), QStringLiteral("Read"), J("{'path':'a.txt'}")),
                toolCall(QStringLiteral("toolu_x"), QStringLiteral("Bash"), J("{'cmd':'ls'}"))}),
            user({toolResult(QStringLiteral("g1abc"), {text(QStringLiteral("content"))}),
                toolResult(QStringLiteral("toolu_x"), {text(QStringLiteral("denied"))}, true)}),
            assistant({text(QStringLiteral("done"))}), user({text(QStringLiteral("thanks"))})};

        canon::TranslationContext ctx;
        const QByteArray body = gemini::encodeRequest(r, {}, ctx);
        const auto decoded = gemini::decodeRequest(body, QStringLiteral("models/gemini-2.5-pro"));
        QVERIFY(decoded.ok());
        const canon::Request& d = decoded.value();
        QCOMPARE(d.model, QStringLiteral("gemini-2.5-pro"));
        QCOMPARE(d.system.size(), 2);
        QCOMPARE(d.system.at(1).text, QStringLiteral("sys two"));
        QCOMPARE(d.maxTokens, 2048);
        QCOMPARE(*d.temperature, 0.25);
        QCOMPARE(*d.topP, 0.5);
        QCOMPARE(*d.topK, 7);
        QCOMPARE(d.stopSequences, QStringList {QStringLiteral("END")});
        QCOMPARE(d.thinking.mode, canon::Thinking::Mode::Enabled);
        QCOMPARE(d.thinking.budgetTokens, 1500);
        QCOMPARE(d.tools.size(), 2);
        QCOMPARE(d.tools.at(0).name, QStringLiteral("Read"));
        QCOMPARE(d.tools.at(0).inputSchema, gemini::sanitizeToolSchema(r.tools.at(0).inputSchema));
        QCOMPARE(d.toolChoice.mode, canon::ToolChoice::Mode::Tool);
        QCOMPARE(d.toolChoice.name, QStringLiteral("Read"));
        QCOMPARE(d.outputSchema, r.outputSchema);

        // Messages: the function responses came back in their own user turn, which merges with the rest.
        QCOMPARE(d.messages.size(), 5);
        QCOMPARE(d.messages.at(0).parts.size(), 2);
        QCOMPARE(d.messages.at(0).parts.at(1).kind, PartKind::Image);
        QCOMPARE(d.messages.at(0).parts.at(1).data, QStringLiteral("UE5H"));
        const QList<Part>& a = d.messages.at(1).parts;
        QCOMPARE(a.size(), 4);
        QCOMPARE(a.at(0).kind, PartKind::Reasoning);
        QCOMPARE(gemini::unwrapThoughtSignature(a.at(0).signature), QStringLiteral("U0lH"));
        QCOMPARE(a.at(1).text, QStringLiteral("let me"));
        QCOMPARE(a.at(2).id, QStringLiteral("g1abc")); // a Gemini id survives
        QCOMPARE(a.at(2).input, J("{'path':'a.txt'}"));
        QCOMPARE(a.at(3).name, QStringLiteral("Bash"));
        QVERIFY(!a.at(3).id.isEmpty());
        const QList<Part>& results = d.messages.at(2).parts;
        QCOMPARE(results.size(), 2);
        QCOMPARE(results.at(0).toolCallId, a.at(2).id);
        QCOMPARE(results.at(0).content.at(0).text, QStringLiteral("content"));
        QCOMPARE(results.at(1).toolCallId, a.at(3).id); // paired by name without ids
        QVERIFY(results.at(1).isError);
        QCOMPARE(results.at(1).content.at(0).text, QStringLiteral("denied"));
        QCOMPARE(d.messages.at(4).parts.at(0).text, QStringLiteral("thanks"));

        // And encoding the decoded request again gives the same body.
        canon::TranslationContext ctx2;
        QCOMPARE(QJsonDocument::fromJson(gemini::encodeRequest(d, {}, ctx2)).object(),
            QJsonDocument::fromJson(body).object());
    }

    void decodeRequestShapes()
    {
        // A Gemini CLI-style body: snake_case names, proto Schema types, calls without ids, thought parts.
        const QByteArray body = QJsonDocument(
            J("{'system_instruction':{'parts':[{'text':'be brief'}]},"
              "'contents':["
              " {'role':'user','parts':[{'text':'q'},{'inline_data':{'mime_type':'application/pdf','data':'JVBE'}},"
              "   {'file_data':{'mime_type':'image/png','file_uri':'gs://b/x.png'}}]},"
              " {'role':'model','parts':[{'text':'thinking...','thought':true},"
              "   {'function_call':{'name':'ls','args':{'d':'/'}},'thought_signature':'R0VN'},"
              "   "
              "{'functionCall':{'name':'cat','args':{'f':'a'}}},{'functionCall':{'name':'ls','args':{'d':'/tmp'}}}]},"
              " {'role':'user','parts':[{'functionResponse':{'name':'ls','response':{'output':'bin'}}},"
              "   {'functionResponse':{'name':'cat','response':{'error':'no such file'}}},"
              "   "
              "{'functionResponse':{'name':'ls','response':{'files':['x']},'parts':[{'inlineData':{'mimeType':'image/"
              "png',"
              "   'data':'SU1H'}}]}}]},"
              " {'role':'user','parts':[{'text':'more'}]}],"
              "'tools':[{'function_declarations':[{'name':'ls','description':'list','parameters':{'type':'OBJECT',"
              "   "
              "'properties':{'d':{'type':'STRING','nullable':true}},'required':['d']}},{'name':'cat'}]},{'googleSearch'"
              ":{}}],"
              "'tool_config':{'function_calling_config':{'mode':'ANY'}},"
              "'generation_config':{'max_output_tokens':100,'thinking_config':{'thinking_level':'LOW'},"
              "  'response_mime_type':'application/json','response_schema':{'type':'OBJECT','properties':{'n':{'type':"
              "  'INTEGER'}}}}}"))
                                    .toJson();
        const auto decoded = gemini::decodeRequest(body, QStringLiteral("gemini-x"));
        QVERIFY(decoded.ok());
        const canon::Request& d = decoded.value();
        QCOMPARE(d.system.at(0).text, QStringLiteral("be brief"));
        QCOMPARE(d.messages.size(), 3);
        const QList<Part>& u = d.messages.at(0).parts;
        QCOMPARE(u.size(), 3);
        QCOMPARE(u.at(1).kind, PartKind::Document);
        QCOMPARE(u.at(1).mediaType, QStringLiteral("application/pdf"));
        QCOMPARE(u.at(2).kind, PartKind::Image);
        QCOMPARE(u.at(2).url, QStringLiteral("gs://b/x.png"));
        const QList<Part>& m = d.messages.at(1).parts;
        QCOMPARE(m.size(), 4); // unsigned thought dropped; signature -> reasoning before the first call
        QCOMPARE(m.at(0).kind, PartKind::Reasoning);
        QCOMPARE(gemini::unwrapThoughtSignature(m.at(0).signature), QStringLiteral("R0VN"));
        QCOMPARE(m.at(1).name, QStringLiteral("ls"));
        QCOMPARE(m.at(1).id, QStringLiteral("call_1_1"));
        QCOMPARE(m.at(2).id, QStringLiteral("call_1_2"));
        QCOMPARE(m.at(3).id, QStringLiteral("call_1_3"));
        const QList<Part>& r = d.messages.at(2).parts;
        QCOMPARE(r.size(), 4);
        QCOMPARE(r.at(0).toolCallId, QStringLiteral("call_1_1"));
        QCOMPARE(r.at(0).content.at(0).text, QStringLiteral("bin"));
        QCOMPARE(r.at(1).toolCallId, QStringLiteral("call_1_2"));
        QVERIFY(r.at(1).isError);
        QCOMPARE(r.at(2).toolCallId, QStringLiteral("call_1_3"));
        QCOMPARE(r.at(2).content.at(0).text, QStringLiteral("{\"files\":[\"x\"]}"));
        QCOMPARE(r.at(2).content.at(1).kind, PartKind::Image);
        QCOMPARE(r.at(3).text, QStringLiteral("more"));
        QCOMPARE(d.tools.size(), 3);
        QCOMPARE(d.tools.at(0).inputSchema,
            J("{'type':'object','properties':{'d':{'type':['string','null']}},'required':['d']}"));
        QCOMPARE(d.tools.at(1).inputSchema, J("{'type':'object','properties':{}}"));
        QCOMPARE(d.tools.at(2).builtinType, QStringLiteral("web_search_20250305"));
        QCOMPARE(d.toolChoice.mode, canon::ToolChoice::Mode::Any);
        QCOMPARE(d.maxTokens, 100);
        QCOMPARE(d.thinking.mode, canon::Thinking::Mode::Enabled);
        QCOMPARE(d.thinking.budgetTokens, 1024);
        QCOMPARE(d.thinking.effort, QStringLiteral("low"));
        QCOMPARE(d.outputSchema, J("{'type':'object','properties':{'n':{'type':'integer'}}}"));
        // Deterministic ids: the same history gives the same ids.
        QCOMPARE(gemini::decodeRequest(body, QStringLiteral("gemini-x")).value().messages.at(1).parts.at(2).id,
            QStringLiteral("call_1_2"));

        // Thinking budget 0 disables; -1 is dynamic.
        QCOMPARE(gemini::decodeRequest(QJsonDocument(J("{'contents':[],'generationConfig':{'thinkingConfig':"
                                                       "{'thinkingBudget':0}}}"))
                                           .toJson(),
                     {})
                     .value()
                     .thinking.mode,
            canon::Thinking::Mode::Disabled);
        QCOMPARE(gemini::decodeRequest(
                     QJsonDocument(J("{'generationConfig':{'thinkingConfig':{'thinkingBudget':-1}}}")).toJson(), {})
                     .value()
                     .thinking.budgetTokens,
            8192);

        // Bad bodies.
        QVERIFY(!gemini::decodeRequest("[1,2]", {}).ok());
        QCOMPARE(gemini::decodeRequest("{oops", {}).error().httpStatus, 400);
        QVERIFY(!gemini::decodeRequest("{\"contents\":{}}", {}).ok());
    }

    // A thinking block from a non-Gemini upstream survives a Gemini client that drops thought parts: the token the
    // client echoes rebuilds it exactly.
    void clientSignatureTokens()
    {
        const QString anthropicSig = QStringLiteral("EqQBCkgIARABGAIiQLx");
        const QString token = gemini::clientThoughtSignature(anthropicSig, QStringLiteral("deep thought"));
        QVERIFY(!token.isEmpty());
        QVERIFY(!QByteArray::fromBase64(token.toLatin1(), QByteArray::AbortOnBase64DecodingErrors).isEmpty());
        const QByteArray body = QJsonDocument(
            QJsonObject {{QStringLiteral("contents"),
                QJsonArray {J("{'role':'user','parts':[{'text':'q'}]}"),
                    QJsonObject {{QStringLiteral("role"), QStringLiteral("model")},
                        {QStringLiteral("parts"),
                            QJsonArray {QJsonObject {{QStringLiteral("functionCall"), J("{'name':'f','args':{}}")},
                                {QStringLiteral("thoughtSignature"), token}}}}},
                    J("{'role':'user','parts':[{'functionResponse':{'name':'f','response':{'output':'ok'}}}]}")}}})
                                    .toJson();
        const canon::Request d = gemini::decodeRequest(body, {}).value();
        const QList<Part>& m = d.messages.at(1).parts;
        QCOMPARE(m.size(), 2);
        QCOMPARE(m.at(0).kind, PartKind::Reasoning);
        QCOMPARE(m.at(0).text, QStringLiteral("deep thought"));
        QCOMPARE(m.at(0).signature, anthropicSig);
        QCOMPARE(m.at(1).kind, PartKind::ToolCall);
        // Raw Gemini signatures pass through; redacted thinking is packed too; empty gateway blocks are dropped.
        QCOMPARE(gemini::clientThoughtSignature(geminiSig("UkFX"), QStringLiteral("t")), QStringLiteral("UkFX"));
        const Part redacted
            = gemini::partFromClientThoughtSignature(gemini::clientRedactedSignature(QStringLiteral("opaque")));
        QCOMPARE(redacted.kind, PartKind::RedactedReasoning);
        QCOMPARE(redacted.data, QStringLiteral("opaque"));
        QVERIFY(gemini::clientThoughtSignature(canon::makeGatewaySignature(QStringLiteral("none")), {}).isEmpty());
        QVERIFY(gemini::clientThoughtSignature({}, QStringLiteral("t")).isEmpty());
        const Part chat = gemini::partFromClientThoughtSignature(gemini::clientThoughtSignature(
            canon::makeGatewaySignature(QStringLiteral("openai-chat")), QStringLiteral("r")));
        QCOMPARE(chat.text, QStringLiteral("r"));
        QCOMPARE(canon::gatewaySignatureProvider(chat.signature), QStringLiteral("openai-chat"));
    }
};

QTEST_GUILESS_MAIN(TestGeminiRequest)
#include "tst_geminirequest.moc"
