/** report.html in Japanese: every sentence in Japanese; names, ids, numbers and AWS's error text as they are. */
import { type ReasonWords, type Words, wordReason } from './words.ts';

const reasons: ReasonWords = {
  'not-implemented': () => '接続先がこの API を実装していません',
  timeout: (r) => `${r.seconds} 秒以内に応答がありませんでした`,
  // AWS's message is English: the page names the error, summary.json keeps its message.
  'aws-error': (r) => `AWS のエラー ${r.name}（詳細は summary.json）`,
  'local-endpoint': (r) =>
    `DynamoDB がローカルの接続先（${r.endpoint}）で ${r.variable} が未設定のため、${r.service} に問い合わせるとこのテーブルとは別のアカウントを読むことになります`,
  'not-reported': (r) => `接続先が ${r.field} を返しません`,
  'table-arn-unknown': () => 'テーブルの ARN が不明です（DescribeTable が失敗しました）',
  'no-stack-name': () => '--stack-name の指定がありません（アラームのトピックはスタックから特定します）',
  'trail-unreadable': (r) => `${wordReason(reasons, r.cause)}（証跡 ${r.trail}）`,
};

export const JA: Words = {
  locale: 'ja-JP',
  punctuation: { labelled: (label, value) => `${label}：${value}`, list: '、', facts: '／' },
  header: {
    title: 'サインイン監査レポート',
    period: '対象期間（UTC）',
    pool: 'ユーザープール',
    table: 'ログイン履歴テーブル',
    generated: '作成日時',
    tool: 'ツール',
    identity: '作成者',
  },
  figures: {
    heading: '主な数値',
    signIns: 'サインイン成功件数',
    users: 'サインインしたユーザー数',
    failures: 'サインイン失敗件数',
    dormant: '休眠アカウント数',
    notRecorded: '記録なし',
    futurePeriod: (generated) =>
      `対象期間はこのパックの作成時点（${generated}）より先まで及んでいます。記録は作成時点までのもので、休眠アカウントの確認も作成時点を基準にしています。`,
  },
  charts: {
    signInsPerDay: '日別のサインイン成功件数',
    failuresPerDay: '日別のサインイン失敗件数',
    byClient: 'アプリクライアント別のサインイン件数',
    byProvider: 'ID プロバイダー別のサインイン件数（COGNITO はユーザープールのユーザー）',
    topIps: '失敗の多い送信元 IP アドレス',
    topUsers: '失敗の多いユーザー',
    count: '件数',
  },
  failures: {
    none: 'この期間に記録されたサインイン失敗はありません。',
    notInPack: {
      'stack-without-auth-events':
        'サインイン失敗はこのパックに含まれていません（スタックが認証イベントを記録していません。スタックのパラメーター AuthEvents が有効ではありません）。対象はサインイン成功のみです。',
      'not-named':
        'サインイン失敗はこのパックに含まれていません（認証イベントのテーブルが指定されていないため（--auth-events-table-name）、スタックが記録しているかどうかをこのパックは確認できません）。対象はサインイン成功のみです。',
    },
    withoutSub: (_n, formatted) =>
      `${formatted} 件の失敗はユーザーを特定できない試行（存在しないユーザー名など）のため、送信元 IP アドレス別にのみ集計しています。`,
  },
  dormant: {
    heading: '休眠アカウント',
    intro: ({ asOf, inactiveDays, dormant, users }) =>
      `${asOf} 時点で存在し、その日までの ${inactiveDays} 日間にサインインの記録がない（または一度も記録がない）アカウント：${users} 件中 ${dormant} 件。アクセス権が引き続き必要か、アカウントごとにご確認ください。`,
    columns: ['ユーザー', 'メールアドレス', '状態', '作成日', '最終サインイン（UTC）'],
    never: '記録なし',
    disabled: '無効',
    enabled: '有効',
    more: (shown, all) =>
      `${all} 件のうち先頭の ${shown} 件を掲載しています。全件は dormant-accounts.csv にあります。`,
    none: '休眠アカウントはありません。',
  },
  protection: {
    heading: '記録の保護状況',
    intro:
      'パック作成時に AWS アカウントから読み取った状態です。「不明」は読み取れなかったことを示し、その理由を併記しています。',
    names: {
      retention: '保持期間（DynamoDB TTL）',
      pointInTimeRecovery: 'ポイントインタイムリカバリ',
      deletionProtection: '削除保護',
      appendOnlyPolicy: '追記専用のリソースポリシー',
      alarmSubscription: 'アラーム通知メールの購読',
      authEventTrail: 'CloudTrail による認証イベントの記録',
    },
    status: {
      enabled: '有効',
      disabled: '無効',
      none: 'なし',
      partial: '一部のみ',
      confirmed: '確認済み',
      pending: '確認待ち',
      logging: '記録中',
      'not logging': '記録なし',
      'not configured': '未設定',
      unknown: '不明',
    },
    facts: {
      attribute: '属性',
      retentionDays: '保持日数',
      earliestRestorable: '復元可能な最も古い時点',
      recoveryPeriodDays: '復元期間（日）',
      deniedActions: '拒否する操作',
      topic: 'トピック',
      confirmed: '確認済み',
      pending: '確認待ち',
      trails: '証跡',
      trailsChecked: '確認した証跡の数',
    },
    reasons,
  },
  integrity: {
    heading: '記録の完全性',
    sealed: ({ intervalsText, verified, altered, erased, expired, replayed }) =>
      `完全性：封印された区間 ${intervalsText}、うち検証済み ${verified}。改変 ${altered} 件、消去 ${erased} 件（npm run erase）、TTL による削除 ${expired} 件、後からの再投入 ${replayed} 件（npm run replay）。`,
    intact: '封印された記録とテーブルの差異はすべて説明がつきます。記録は書き込まれたとおりのものです。',
    notIntact: (_n, formatted) =>
      `${formatted} 件の差異は説明がつきません（内容は integrity.json）。原因が判明するまで改ざんとして扱ってください。`,
    unsealed: (hours) =>
      `対象期間のうち ${hours} 時間分はまだ封印されていません（最後のダイジェスト以降）。この間の記録はダイジェストの対象外です。`,
    notRecorded: {
      'stack-without-integrity':
        'スタックは記録を封印していません（スタックのパラメーター Integrity が有効ではありません）。記録はポリシーによってのみ保護されています。',
      'not-named':
        'ダイジェストのバケットが指定されていないため（--digest-bucket）、記録が封印されているかどうかをこのパックは示しません。',
    },
    howToCheck:
      'digests.jsonl には封印された各ダイジェストとその署名、public-key.pem には公開鍵があります。各行は openssl dgst -sha256 -verify public-key.pem で検証できます（docs/integrity.md）。',
  },
  coverage: {
    heading: 'データの範囲と限界',
    lines: [
      'サインイン成功は Cognito の認証後（PostAuthentication）トリガーが記録します。完了したサインイン 1 回につき 1 件で、日時・ユーザー・アプリクライアント・ID プロバイダーを含みます。',
      'このトリガーには IP アドレスが渡されないため、サインインの記録に IP アドレスはありません。送信元 IP アドレスは CloudTrail 由来の認証イベントにのみ含まれます。',
      'サインイン失敗は CloudTrail 経由（認証イベント）でのみ把握できます。これが無い場合、このパックに失敗は現れませんが、失敗が無かったという意味ではありません。',
      'トークンの更新（REFRESH_TOKEN_AUTH）ではトリガーが実行されず、サインインとして記録されません。ここに現れないままサインイン状態が続くユーザーもありえます。',
      '保持期間を過ぎた記録は DynamoDB の TTL によって削除されています。「記録なし」は保持されている履歴の範囲内で記録がないという意味です。',
      '日時はすべて UTC です。日付で指定した期間は、開始日・終了日を含む終日が対象です。',
    ],
  },
  files: {
    heading: 'このパックのファイル',
    intro:
      '各ファイルの SHA-256 を示します。manifest.json にはこのレポートを含むすべてのファイルが記載されています。',
    columns: ['ファイル', 'バイト数', 'SHA-256'],
    verifyHow:
      '改ざんがないことの確認方法：npm run audit-pack -- --verify <フォルダー>（または manifest.json と sha256sum の照合）。パック作成時に表示される manifest.json の SHA-256 は、パックとは別に保管してください。',
  },
};
