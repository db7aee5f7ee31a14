// Flows as Salesforce writes them, shared by the emulator's and the service's flow tests.

/** A record-triggered flow on Case (API 60); the text is the same in source and metadata format. */
export const flowXml = (label: string, status: 'Active' | 'Draft' = 'Active') => `<?xml version="1.0" encoding="UTF-8"?>
<Flow xmlns="http://soap.sforce.com/2006/04/metadata">
    <apiVersion>60.0</apiVersion>
    <environments>Default</environments>
    <interviewLabel>${label} {!$Flow.CurrentDateTime}</interviewLabel>
    <label>${label}</label>
    <processMetadataValues>
        <name>BuilderType</name>
        <value>
            <stringValue>LightningFlowBuilder</stringValue>
        </value>
    </processMetadataValues>
    <processType>AutoLaunchedFlow</processType>
    <start>
        <locationX>50</locationX>
        <locationY>0</locationY>
        <object>Case</object>
        <recordTriggerType>Create</recordTriggerType>
        <triggerType>RecordAfterSave</triggerType>
    </start>
    <status>${status}</status>
</Flow>
`;
